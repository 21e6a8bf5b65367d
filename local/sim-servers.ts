/**
 * Simulated servers for local mode: real SSH servers (ssh2's Server) on 127.0.0.1, one
 * per simulated host, that the console checks exactly as it checks real ones (pinned host
 * key, key authentication, the batched check script on `sh -s`). Instead of running the
 * script, each host answers its parts (uptime, loadavg, nproc, meminfo, services, journal,
 * df) from a small state that the local web page changes: take the host down (its port
 * refuses connections), fill its disk, fail a service, raise its load.
 *
 *   const fleet = await startSimulatedServers({ dir, clientPublicKey });
 *   fleet.get("web-1")?.setUp(false);   // connection refused until setUp(true)
 *   await fleet.close();
 *
 * Host keys are kept in `dir` (so pins stay valid across restarts); ports are picked
 * afresh at each start (try the previous one first), and `register` updates the catalogue.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { join } from "node:path";
import type { ServerChannel } from "ssh2";
import ssh2 from "ssh2";
import type { HostRepository } from "../core/servers/ports.ts";
import { CHECK_IDS, type HostSpec, type HostThresholds } from "../core/servers/types.ts";
import { formatMarker, type ScriptPart } from "../servers/checks.ts";
import { sha256Fingerprint } from "../servers/fingerprint.ts";
import { generateEd25519KeyPair, parseKey, publicKeyVerdict } from "../servers/keys.ts";
import { REMOTE_COMMAND } from "../servers/ssh-client.ts";

export type ServiceStateName = "active" | "failed" | "inactive";

export interface SimulatedHostState {
  name: string;
  up: boolean;
  cores: number;
  /** 1-minute load per core. */
  loadPerCore: number;
  /** Memory in use, percent. */
  memoryPct: number;
  /** Use of the root filesystem, percent. */
  diskPct: number;
  services: Record<string, ServiceStateName>;
  /** Error lines the journal reports at the next check (then cleared, as the check moves its window). */
  journalErrors: string[];
  /** Further file systems df reports (a Docker host has dozens of overlay mounts). */
  extraMounts: Array<{ mount: string; pct: number }>;
  /** Seconds since "boot" (counted from the fleet's start, plus the host's head start). */
  uptimeSeconds: number;
}

export interface SimulatedHostDefinition {
  name: string;
  cores?: number;
  loadPerCore?: number;
  memoryPct?: number;
  diskPct?: number;
  services?: string[];
  /** Uptime at start, seconds. */
  uptimeSeconds?: number;
  /** Further file systems df reports besides / and /run. */
  extraMounts?: Array<{ mount: string; pct: number }>;
}

export interface SimulatedHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** "SHA256:..." of the host key, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** The user the host lets in (with the console's key). */
  readonly user: string;
  state(): SimulatedHostState;
  /** Down: the port refuses connections and open ones are cut; up: it listens again on the same port. */
  setUp(up: boolean): Promise<void>;
  set(patch: Partial<Pick<SimulatedHostState, "loadPerCore" | "memoryPct" | "diskPct" | "extraMounts">>): void;
  setService(name: string, state: ServiceStateName): void;
  /** Adds an error line to the journal (reported at the next check). */
  logError(line: string): void;
}

export interface SimulatedServerFleet {
  readonly hosts: readonly SimulatedHost[];
  get(name: string): SimulatedHost | undefined;
  /**
   * Puts the fleet in the room's catalogue: adds missing hosts, and replaces entries whose
   * port or key changed (a new port at each start). Hosts of the catalogue that are not
   * simulated are left alone. Returns the names added or updated.
   */
  register(hosts: HostRepository, roomId: string, thresholds: HostThresholds): Promise<string[]>;
  close(): Promise<void>;
}

export interface SimulatedServersOptions {
  /** Where host keys and the last ports are kept. */
  dir: string;
  /** The console's public key ("ssh-ed25519 AAAA..."), the only one the hosts accept. */
  clientPublicKey: string;
  /** Default: web-1 (nginx), db-1 (postgresql), backup-1 (restic timer). */
  hosts?: SimulatedHostDefinition[];
  /** The login user (default "seroma"). */
  user?: string;
  /** Default 127.0.0.1. */
  address?: string;
  /** Current time in ms (uptime); default Date.now. */
  now?: () => number;
}

export const DEFAULT_SIMULATED_HOSTS: SimulatedHostDefinition[] = [
  {
    name: "web-1",
    cores: 4,
    loadPerCore: 0.18,
    memoryPct: 41,
    diskPct: 38,
    services: ["nginx", "ssh"],
    uptimeSeconds: 23 * 86_400,
  },
  {
    name: "db-1",
    cores: 8,
    loadPerCore: 0.35,
    memoryPct: 67,
    diskPct: 71,
    services: ["postgresql", "ssh"],
    uptimeSeconds: 64 * 86_400,
  },
  {
    name: "backup-1",
    cores: 2,
    loadPerCore: 0.05,
    memoryPct: 22,
    diskPct: 83,
    services: ["restic-backup.timer", "ssh"],
    uptimeSeconds: 5 * 86_400,
  },
];

const LOOPBACK = "127.0.0.1";
/** The wrapper (servers/ssh-client.ts wrapScript) ends with this line: the whole script has arrived. */
const SCRIPT_END = /\n}\n$/;
const MAX_SCRIPT_BYTES = 256 * 1024;
const ROOT_FS_KB = 61_611_820;
const MEM_TOTAL_KB = 8_148_352;

export async function startSimulatedServers(opts: SimulatedServersOptions): Promise<SimulatedServerFleet> {
  const address = opts.address ?? LOOPBACK;
  const user = opts.user ?? "seroma";
  const now = opts.now ?? Date.now;
  const started = now();
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const client = parseKey(opts.clientPublicKey);
  const portsFile = join(opts.dir, "ports.json");
  const lastPorts = readPorts(portsFile);
  const hosts: SimHost[] = [];
  try {
    for (const def of opts.hosts ?? DEFAULT_SIMULATED_HOSTS) {
      const keyFile = join(opts.dir, `${def.name}.host-key`);
      let hostKey: string;
      if (existsSync(keyFile)) hostKey = readFileSync(keyFile, "utf8");
      else {
        hostKey = generateEd25519KeyPair(`seroma-sim-${def.name}`).private;
        writeFileSync(keyFile, hostKey, { mode: 0o600 });
      }
      const host = new SimHost(def, { hostKey, client, user, address, now, started });
      await host.listen(lastPorts[def.name] ?? 0);
      hosts.push(host);
    }
  } catch (err) {
    await Promise.all(hosts.map((h) => h.close()));
    throw err;
  }
  writeFileSync(portsFile, `${JSON.stringify(Object.fromEntries(hosts.map((h) => [h.name, h.port])))}\n`);

  return {
    hosts,
    get: (name) => hosts.find((h) => h.name === name),
    async register(repo, roomId, thresholds) {
      const changed: string[] = [];
      for (const h of hosts) {
        const spec = simulatedHostSpec(h, thresholds);
        const existing = await repo.get(roomId, h.name);
        if (existing && existing.port === spec.port && existing.hostKey === spec.hostKey) continue;
        if (existing) {
          // Only replace what this fleet put there: the same address and user.
          if (existing.address !== spec.address || existing.user !== spec.user) continue;
          await repo.remove(roomId, h.name);
        }
        const added = await repo.add(roomId, spec);
        if (added.ok) changed.push(h.name);
      }
      return changed;
    },
    async close() {
      await Promise.all(hosts.map((h) => h.close()));
    },
  };
}

/** The catalogue entry of a simulated host: every check, its services, its pinned key. */
export function simulatedHostSpec(h: SimulatedHost, thresholds: HostThresholds): HostSpec {
  return {
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    hostKey: h.hostKeyFingerprint,
    checks: [...CHECK_IDS],
    services: Object.keys(h.state().services),
    thresholds,
  };
}

function readPorts(file: string): Record<string, number> {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (parsed && typeof parsed === "object") {
      return Object.fromEntries(
        Object.entries(parsed).filter(([, v]) => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65_536),
      ) as Record<string, number>;
    }
  } catch {
    // No file yet, or a damaged one: pick new ports.
  }
  return {};
}

interface SimHostContext {
  hostKey: string;
  client: ReturnType<typeof parseKey>;
  user: string;
  address: string;
  now: () => number;
  started: number;
}

class SimHost implements SimulatedHost {
  readonly name: string;
  readonly address: string;
  readonly user: string;
  readonly hostKeyFingerprint: string;
  port = 0;
  private readonly s: Omit<SimulatedHostState, "uptimeSeconds" | "name">;
  private readonly bootUptime: number;
  private readonly ssh: InstanceType<typeof ssh2.Server>;
  private tcp: NetServer | undefined;
  private readonly sockets = new Set<Socket>();

  private readonly ctx: SimHostContext;

  constructor(def: SimulatedHostDefinition, ctx: SimHostContext) {
    this.ctx = ctx;
    this.name = def.name;
    this.address = ctx.address;
    this.user = ctx.user;
    this.bootUptime = def.uptimeSeconds ?? 3 * 86_400;
    this.s = {
      up: true,
      cores: def.cores ?? 4,
      loadPerCore: def.loadPerCore ?? 0.2,
      memoryPct: def.memoryPct ?? 40,
      diskPct: def.diskPct ?? 40,
      services: Object.fromEntries((def.services ?? ["ssh"]).map((s) => [s, "active" as ServiceStateName])),
      journalErrors: [],
      extraMounts: [...(def.extraMounts ?? [])],
    };
    this.hostKeyFingerprint = sha256Fingerprint(parseKey(ctx.hostKey).getPublicSSH());
    this.ssh = new ssh2.Server({ hostKeys: [ctx.hostKey] });
    this.ssh.on("connection", (conn) => {
      conn.on("error", () => {});
      conn.on("authentication", (auth) => {
        if (publicKeyVerdict(auth, ctx.user, ctx.client) === "rejected") auth.reject(["publickey"]);
        else auth.accept(); // "key-ok": the client signs next; "signed": logged in
      });
      conn.on("ready", () => {
        conn.on("session", (acceptSession) => {
          const session = acceptSession();
          session.on("exec", (accept, reject, info) => {
            if (info.command !== REMOTE_COMMAND) {
              reject();
              return;
            }
            this.answer(accept());
          });
        });
      });
    });
  }

  state(): SimulatedHostState {
    return {
      name: this.name,
      ...structuredClone(this.s),
      uptimeSeconds: this.bootUptime + Math.max(0, (this.ctx.now() - this.ctx.started) / 1000),
    };
  }

  async setUp(up: boolean): Promise<void> {
    if (up === this.s.up) return;
    this.s.up = up;
    if (up) await this.listen(this.port);
    else await this.stopListening();
  }

  set(patch: Partial<Pick<SimulatedHostState, "loadPerCore" | "memoryPct" | "diskPct" | "extraMounts">>): void {
    for (const [k, v] of Object.entries(patch)) {
      if (k === "extraMounts") {
        const ok = Array.isArray(v) && v.every((m) => /^\/\S*$/.test(m.mount) && m.pct >= 0 && m.pct <= 100);
        if (!ok) throw new RangeError("extraMounts must be absolute mount points with a use of 0..100 %");
        continue;
      }
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new RangeError(`${k} must be a number >= 0`);
      if ((k === "memoryPct" || k === "diskPct") && v > 100) throw new RangeError(`${k} must be at most 100`);
    }
    Object.assign(this.s, patch);
  }

  setService(name: string, state: ServiceStateName): void {
    if (!(name in this.s.services)) throw new Error(`${this.name} has no service ${name}`);
    this.s.services[name] = state;
  }

  logError(line: string): void {
    this.s.journalErrors.push(line);
    // A host nobody checks (the console stopped) keeps only the newest lines.
    if (this.s.journalErrors.length > 100) this.s.journalErrors.splice(0, this.s.journalErrors.length - 100);
  }

  async listen(port: number): Promise<void> {
    const tcp = createServer((sock) => {
      this.sockets.add(sock);
      sock.on("close", () => this.sockets.delete(sock));
      sock.on("error", () => {});
      this.ssh.injectSocket(sock);
    });
    const bind = (p: number) =>
      new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(p, this.address, () => {
          tcp.off("error", reject);
          resolve();
        });
      });
    try {
      await bind(port);
    } catch (err) {
      // The previous port is taken by something else now: any free one.
      if (port === 0) throw err;
      await bind(0);
    }
    const addr = tcp.address();
    if (addr === null || typeof addr === "string") throw new Error("no port");
    this.port = addr.port;
    this.tcp = tcp;
  }

  private async stopListening(): Promise<void> {
    const tcp = this.tcp;
    this.tcp = undefined;
    for (const s of this.sockets) s.destroy();
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.stopListening();
  }

  /** Reads the script from stdin (never closed by the client) until the wrapper's last line, then answers it. */
  private answer(stream: ServerChannel): void {
    stream.on("error", () => {});
    let script = "";
    let answered = false;
    stream.on("data", (d: Buffer) => {
      if (answered) return;
      script += d.toString("utf8");
      if (script.length > MAX_SCRIPT_BYTES) {
        answered = true;
        stream.stderr.write("sh: script too long\n");
        stream.exit(2);
        stream.end();
        return;
      }
      if (!SCRIPT_END.test(script)) return;
      answered = true;
      const out = this.run(script);
      stream.write(out);
      stream.exit(0);
      stream.end();
    });
  }

  /** The script's output for this host's state now. */
  run(script: string): string {
    const st = this.state();
    const lines: string[] = [];
    const part = (name: ScriptPart, body: string[], rc = 0) => {
      lines.push(formatMarker("begin", name), ...body, formatMarker("end", name, rc));
    };
    const has = (name: string) => script.includes(`seroma_run ${name} `);
    if (has("uptime")) {
      part("uptime", [`${st.uptimeSeconds.toFixed(2)} ${(st.uptimeSeconds * st.cores * 0.93).toFixed(2)}`]);
    }
    if (has("loadavg")) {
      const l1 = st.loadPerCore * st.cores;
      part("loadavg", [`${l1.toFixed(2)} ${(l1 * 0.9).toFixed(2)} ${(l1 * 0.8).toFixed(2)} 1/213 48211`]);
    }
    if (has("nproc")) part("nproc", [String(st.cores)]);
    if (has("meminfo")) {
      const available = Math.round(MEM_TOTAL_KB * (1 - st.memoryPct / 100));
      part("meminfo", [
        `MemTotal:       ${MEM_TOTAL_KB} kB`,
        `MemFree:        ${Math.round(available * 0.2)} kB`,
        `MemAvailable:   ${available} kB`,
        `Buffers:        ${Math.round(available * 0.05)} kB`,
        `Cached:         ${Math.round(available * 0.6)} kB`,
        `SReclaimable:   ${Math.round(available * 0.1)} kB`,
      ]);
    }
    const services = /seroma_run services systemctl is-active -- (.*)$/m.exec(script);
    if (services?.[1]) {
      const names = [...services[1].matchAll(/'((?:[^']|'\\'')*)'/g)].map((m) => (m[1] ?? "").replaceAll("'\\''", "'"));
      const states = names.map((n) => st.services[n] ?? "inactive");
      part("services", states, states.every((s) => s === "active") ? 0 : 3);
    } else if (has("services")) {
      part("services", []);
    }
    if (has("journal")) {
      const errors = this.s.journalErrors.splice(0);
      part("journal", [String(errors.length), ...errors.slice(-5)]);
    }
    if (has("df")) {
      const used = Math.round((ROOT_FS_KB * st.diskPct) / 100);
      part("df", [
        "Filesystem     1024-blocks      Used Available Capacity Mounted on",
        `/dev/sda2        ${ROOT_FS_KB} ${used} ${ROOT_FS_KB - used} ${Math.ceil(st.diskPct)}% /`,
        "tmpfs               814836      1052    813784       1% /run",
        ...st.extraMounts.map((m) => {
          const u = Math.round((ROOT_FS_KB * m.pct) / 100);
          return `overlay          ${ROOT_FS_KB} ${u} ${ROOT_FS_KB - u} ${Math.ceil(m.pct)}% ${m.mount}`;
        }),
      ]);
    }
    return `${lines.join("\n")}\n`;
  }
}
