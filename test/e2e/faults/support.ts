/**
 * The fault suite's console: the real process (`node main.ts`, as a user starts
 * it) with its bot on a local Bot API server in this process (so a test can make Telegram
 * refuse, go down, come back), its servers simulated over real SSH on 127.0.0.1 (so a test
 * can make a server fill its disk or go down, and `/server NAME` raises or clears an
 * incident), simulated devices, and a DATA_DIR the test owns (a temp directory, or a small
 * tmpfs to fill up). It can be killed with SIGKILL and started again on the same DATA_DIR.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { parseConfig } from "../../../core/config.ts";
import {
  type LocalBotApi,
  type RecordedMessage,
  startLocalBotApi,
  type TestChat,
  type TestUser,
} from "../../../local/bot-api/server.ts";
import {
  type SimulatedHostDefinition,
  type SimulatedServerFleet,
  startSimulatedServers,
} from "../../../local/sim-servers.ts";
import { ensureKeyFile } from "../../../servers/keys.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { type Running, startConsole } from "../../support/console-process.ts";

export const ROOM = "fault-room";
export const ADMIN: TestUser = { id: 1001, first_name: "Ada", language_code: "en" };
export const STAFF: TestUser = { id: 1002, first_name: "Linus", language_code: "en" };
export const STAFF2: TestUser = { id: 1003, first_name: "Grace", language_code: "en" };
export const GROUP: TestChat = { id: -100_555, type: "supergroup", title: "Server room staff" };
export const privateChat = (u: TestUser): TestChat => ({ id: u.id, type: "private" });
const TOKEN = "5000000001:AAHlocalFaultTokenForSeroma-0123456789";

export interface FaultConsoleOptions {
  /** Extra environment for the console. */
  env?: Record<string, string>;
  /** DATA_DIR (default: a fresh temp directory). */
  dataDir?: string;
  /** The simulated servers (default: web-1 and db-1, healthy). */
  hosts?: SimulatedHostDefinition[];
  /** Do not start the process yet (the test prepares DATA_DIR first). */
  deferStart?: boolean;
  /** Run the console through this command prefix (e.g. unshare to see a private tmpfs). */
  wrap?: string[];
}

export interface FaultConsole {
  api: LocalBotApi;
  dataDir: string;
  fleet: SimulatedServerFleet;
  /** The console process now running (after start()). */
  run(): Running;
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no last flush. */
  kill9(): Promise<void>;
  /** SIGTERM, as systemd stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** A user writes `text` in `chat` (private by default); resolves with the bot's next message there. */
  ask(user: TestUser, text: string, chat?: TestChat, timeoutMs?: number): Promise<RecordedMessage>;
  group(): RecordedMessage[];
  privateTo(user: TestUser): RecordedMessage[];
  close(): Promise<void>;
}

export const DEFAULT_HOSTS: SimulatedHostDefinition[] = [
  { name: "web-1", diskPct: 40, services: ["nginx"] },
  { name: "db-1", diskPct: 50, services: ["postgresql"] },
];

export async function startFaultConsole(opts: FaultConsoleOptions = {}): Promise<FaultConsole> {
  const dataDir = opts.dataDir ?? join(mkdtempSync(join(tmpdir(), "seroma-faults-")), "data");
  mkdirSync(dataDir, { recursive: true });
  const api = await startLocalBotApi({ token: TOKEN, botUsername: "seroma_fault_bot" });
  api.addChat(GROUP);
  const env: Record<string, string> = {
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    ADMIN_IDS: String(ADMIN.id),
    STAFF_IDS: [STAFF.id, STAFF2.id].join(","),
    STAFF_CHAT_ID: String(GROUP.id),
    ROOM_ID: ROOM,
    DATA_DIR: dataDir,
    HARDWARE: "sim",
    TIMEZONE: "UTC",
    LOG_LEVEL: "info",
    SERVER_DOWN_AFTER: "1",
    BACKUP_AT: "off",
    // This machine's own disk is not under test (a test that fills a disk says so).
    DISK_FREE_WARN_PCT: "1",
    DISK_FREE_CRITICAL_PCT: "0",
    DISK_FREE_CRITICAL_MB: "0",
    ...opts.env,
  };
  const parsed = parseConfig(env);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const config = parsed.config;
  // The console's SSH key, and the simulated servers that accept only it, in its catalogue.
  const key = ensureKeyFile(config.servers.keyFile, "seroma-faults");
  const fleet = await startSimulatedServers({
    dir: mkdtempSync(join(tmpdir(), "seroma-fault-fleet-")),
    clientPublicKey: key.public,
    hosts: opts.hosts ?? DEFAULT_HOSTS,
  });
  const storage = createSqliteStorage({ dataDir });
  await fleet.register(storage.hosts, ROOM, config.servers.thresholds);
  await storage.close();

  let current: Running | undefined;
  const fc: FaultConsole = {
    api,
    dataDir,
    fleet,
    run() {
      if (!current) throw new Error("the console is not running");
      return current;
    },
    async start() {
      current = startConsole(env, opts.wrap ? { wrap: opts.wrap } : {});
      const started = current;
      const polling = current.waitForOutput(/is polling/, 30_000);
      await polling.catch((err) => {
        started.child.kill("SIGKILL");
        throw err;
      });
    },
    async kill9() {
      const run = current;
      if (!run) return;
      run.child.kill("SIGKILL");
      await run.exited;
    },
    async stop() {
      const run = current;
      if (!run) return null;
      run.child.kill("SIGTERM");
      const { code } = await run.exited;
      return code;
    },
    async ask(user, text, chat = privateChat(user), timeoutMs = 15_000) {
      const before = api.messages(chat.id).filter((m) => m.from_bot).length;
      api.sendMessage(user, chat, text);
      return api.waitFor(() => api.messages(chat.id).filter((m) => m.from_bot)[before], timeoutMs);
    },
    group: () => api.messages(GROUP.id).filter((m) => m.from_bot),
    privateTo: (user) => api.messages(user.id).filter((m) => m.from_bot),
    async close() {
      if (current && current.child.exitCode === null && current.child.signalCode === null) {
        current.child.kill("SIGKILL");
        await current.exited;
      }
      await fleet.close();
      await api.close();
    },
  };
  if (!opts.deferStart) await fc.start();
  return fc;
}

/** The group's messages whose text (or caption) matches. */
export function matching(messages: RecordedMessage[], re: RegExp): RecordedMessage[] {
  return messages.filter((m) => re.test(m.text ?? m.caption ?? ""));
}

/** A small deterministic generator (the kill points differ per round, the run is repeatable). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface KillRoundsResult {
  rounds: number;
  incidents: number;
  outboxRows: number;
  lost: number;
  duplicates: number;
}

/** Runs `rounds` kill -9 rounds on a fault console; returns what it found in the database and the chat. */
export async function killRounds(c: FaultConsole, rounds: number, seed = 7): Promise<KillRoundsResult> {
  const rnd = random(seed);
  const hosts = ["web-1", "db-1"];
  for (let round = 0; round < rounds; round++) {
    const name = hosts[round % hosts.length] as string;
    const host = c.fleet.get(name);
    await host?.setUp(!host.state().up); // flip: down raises, up recovers
    c.api.sendMessage(STAFF, { id: STAFF.id, type: "private" }, `/server ${name}`);
    await new Promise((r) => setTimeout(r, Math.floor(rnd() * 600)));
    await c.kill9();
    await c.start(); // the scheduled check at start judges what the killed one may not have
  }
  // Let everything settle: the outbox drained, then a clean stop.
  const db = () => new Database(join(c.dataDir, "seroma.db"), { readonly: true });
  await c.api.waitFor(() => {
    const d = db();
    try {
      const { n } = d
        .prepare(
          "SELECT count(*) AS n FROM outbox WHERE channel = 'telegram' AND delivered_at IS NULL AND dead_at IS NULL",
        )
        .get() as { n: number };
      return n === 0 ? true : undefined;
    } finally {
      d.close();
    }
  }, 60_000);
  assert.equal(await c.stop(), 0);
  const d = db();
  try {
    const incidents = d.prepare("SELECT id, rule, state FROM incidents").all() as Array<{
      id: string;
      rule: string;
      state: string;
    }>;
    const rows = d
      .prepare("SELECT notice, delivered_at, dead_at FROM outbox WHERE channel = 'telegram'")
      .all() as Array<{
      notice: string;
      delivered_at: number | null;
      dead_at: number | null;
    }>;
    const notices = rows.map((r) => ({
      ...JSON.parse(r.notice),
      delivered: r.delivered_at !== null,
      dead: r.dead_at !== null,
    }));
    let lost = 0;
    for (const i of incidents) {
      const raised = notices.some((n) => n.incidentId === i.id && n.kind === "raised");
      const recovered = i.state !== "resolved" || notices.some((n) => n.incidentId === i.id && n.kind === "recovered");
      if (!raised || !recovered) lost++;
    }
    lost += notices.filter((n) => !n.delivered && !n.dead).length;
    // Each outbox row is one message (no backlog large enough for a digest here): more messages are duplicates.
    const messages = c.group().filter((m) => !m.deleted).length;
    return {
      rounds,
      incidents: incidents.length,
      outboxRows: rows.length,
      lost,
      duplicates: Math.max(0, messages - rows.length),
    };
  } finally {
    d.close();
  }
}

/** STAFF asks `/server NAME` privately and waits until the progress message has become the details. */
export async function checkServer(c: FaultConsole, name: string): Promise<void> {
  const reply = await c.ask(STAFF, `/server ${name}`);
  await c.api.waitFor(() => {
    const now = c.api.messages(STAFF.id).find((m) => m.message_id === reply.message_id);
    return now && !/Checking/.test(now.text ?? "") ? now : undefined;
  }, 20_000);
}
