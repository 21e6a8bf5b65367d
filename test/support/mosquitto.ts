/**
 * A real MQTT broker for the tests: Debian's mosquitto 2.0 on 127.0.0.1, TLS only, with a
 * test CA made here by openssl, a server certificate for 127.0.0.1 and a client certificate
 * per room and for the hub (the certificate's CN is the MQTT user name), and the ACL the
 * README documents: a room publishes only under PREFIX/rooms/<its CN>/ and reads only its
 * own command topic; the hub (CN hub.seroma, never a valid room id) reads every room and
 * writes commands. Sessions and retained messages persist across a restart (persistence).
 *
 *   const broker = await startMosquitto({ prefix: "seroma/test", clients: ["hub.seroma", "dc-1"] });
 *   broker.url, broker.client("dc-1") -> { caFile, certFile, keyFile }
 *   await broker.stop(); await broker.start();   // same port: the clients reconnect
 *   broker.foreignClient("dc-9")                  // signed by another CA: refused
 *
 * Where mosquitto or openssl is missing, `mosquittoMissing` says why (tests skip with it).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export const MOSQUITTO = "/usr/sbin/mosquitto";
export const HUB_CN = "hub.seroma";

function which(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Why the broker tests cannot run here (undefined: they can). */
export const mosquittoMissing: string | undefined = !existsSync(MOSQUITTO)
  ? `mosquitto is not installed (${MOSQUITTO}; apt-get install -y mosquitto, as .ci/run does)`
  : !which("openssl")
    ? "openssl is not installed (needed for the test CA)"
    : undefined;

export interface ClientFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly prefix: string;
  /** Files for a client named (CN) `name`, signed by the test CA (made on first use). */
  client(name: string): ClientFiles;
  /** A client certificate for `name` from another CA (the broker must refuse it). */
  foreignClient(name: string): ClientFiles;
  /**
   * A console's MQTT settings on this site as `name` (its CN: a room's ROOM_ID, or HUB_CN),
   * with `files` (default: `client(name)`) and heartbeats every second (shortened for tests).
   */
  env(name: string, files?: ClientFiles): Record<string, string>;
  /** The broker's log so far. */
  log(): string;
  running(): boolean;
  start(): Promise<void>;
  /** SIGTERM and wait (a crash: `kill("SIGKILL")`). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA in `dir` named `name` (ca.key, ca.crt). EC P-256 keys: fast to make. */
function makeCa(dir: string, cn: string): void {
  mkdirSync(dir, { recursive: true });
  openssl(
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-subj",
      `/CN=${cn}`,
      "-days",
      "2",
    ]),
    dir,
  );
}

function signCert(caDir: string, outDir: string, cn: string, ext?: string): { certFile: string; keyFile: string } {
  mkdirSync(outDir, { recursive: true });
  const key = join(outDir, `${cn}.key`);
  const csr = join(outDir, `${cn}.csr`);
  const crt = join(outDir, `${cn}.crt`);
  openssl(
    ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
      "-keyout",
      key,
      "-out",
      csr,
      "-subj",
      `/CN=${cn}`,
    ]),
    outDir,
  );
  const extArgs: string[] = [];
  if (ext) {
    const extFile = join(outDir, `${cn}.ext`);
    writeFileSync(extFile, ext);
    extArgs.push("-extfile", extFile);
  }
  openssl(
    ["x509", "-req", "-in", csr, "-CA", join(caDir, "ca.crt"), "-CAkey", join(caDir, "ca.key")].concat([
      "-CAcreateserial",
      "-out",
      crt,
      "-days",
      "2",
      ...extArgs,
    ]),
    outDir,
  );
  return { certFile: crt, keyFile: key };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function listening(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect({ host: "127.0.0.1", port }, () => {
        sock.destroy();
        resolve(true);
      });
      sock.once("error", () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error("mosquitto exited while starting");
    if (Date.now() > end) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The ACL of a site (also the README's example). */
export function siteAcl(prefix: string, hub = HUB_CN): string {
  return [
    "# The hub: reads every room of the site, writes commands to any room, and alone writes",
    "# the staff list.",
    `user ${hub}`,
    `topic read ${prefix}/rooms/#`,
    `topic write ${prefix}/commands/#`,
    `topic write ${prefix}/staff`,
    "",
    "# Every room (user = its certificate's CN = its ROOM_ID): writes only under its own name",
    "# (status and its Last Will, heartbeat, alerts, responses), reads only its own commands.",
    `pattern write ${prefix}/rooms/%u/#`,
    `pattern read ${prefix}/commands/%u`,
    "# Everyone reads the hub's staff list (retained).",
    `pattern read ${prefix}/staff`,
    "",
  ].join("\n");
}

export async function startMosquitto(opts: { prefix?: string; port?: number } = {}): Promise<Mosquitto> {
  if (mosquittoMissing) throw new Error(mosquittoMissing);
  const prefix = opts.prefix ?? "seroma/test";
  const dir = mkdtempSync(join(tmpdir(), "seroma-mqtt-"));
  const caDir = join(dir, "ca");
  const otherCaDir = join(dir, "other-ca");
  makeCa(caDir, "Seroma test CA");
  const server = signCert(caDir, join(dir, "server"), "127.0.0.1", "subjectAltName=IP:127.0.0.1\n");
  const port = opts.port ?? (await freePort());
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  const aclFile = join(dir, "acl");
  writeFileSync(aclFile, siteAcl(prefix));
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      // Started as root, mosquitto would switch to the `mosquitto` user, which cannot read this
      // private temporary directory: it keeps running as whoever runs the tests.
      `user ${userInfo().username}`,
      "per_listener_settings false",
      "allow_anonymous false",
      `acl_file ${aclFile}`,
      "persistence true",
      `persistence_location ${dataDir}/`,
      "log_dest stdout",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "log_type information",
      "connection_messages true",
      "set_tcp_nodelay true",
      `listener ${port} 127.0.0.1`,
      `cafile ${join(caDir, "ca.crt")}`,
      `certfile ${server.certFile}`,
      `keyfile ${server.keyFile}`,
      "require_certificate true",
      "use_identity_as_username true",
      "",
    ].join("\n"),
  );
  const clients = new Map<string, ClientFiles>();
  let child: ChildProcess | undefined;
  let out = "";

  const broker: Mosquitto = {
    url: `mqtts://127.0.0.1:${port}`,
    port,
    dir,
    prefix,
    client(name) {
      let files = clients.get(name);
      if (!files) {
        files = { caFile: join(caDir, "ca.crt"), ...signCert(caDir, join(dir, "clients"), name) };
        clients.set(name, files);
      }
      return files;
    },
    foreignClient(name) {
      if (!existsSync(join(otherCaDir, "ca.crt"))) makeCa(otherCaDir, "Some other CA");
      return { caFile: join(caDir, "ca.crt"), ...signCert(otherCaDir, join(dir, "foreign"), name) };
    },
    env(name, files = broker.client(name)) {
      return {
        MQTT_URL: broker.url,
        MQTT_CA_FILE: files.caFile,
        MQTT_CERT_FILE: files.certFile,
        MQTT_KEY_FILE: files.keyFile,
        MQTT_TOPIC_PREFIX: prefix,
        MQTT_HEARTBEAT_SECONDS: "1",
      };
    },
    log: () => out,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async start() {
      if (broker.running()) return;
      const c = spawn(MOSQUITTO, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
      child = c;
      c.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
      });
      c.stderr?.on("data", (d: Buffer) => {
        out += d.toString();
      });
      await listening(port, 10_000, () => c.exitCode === null && c.signalCode === null).catch((err) => {
        throw new Error(`${(err as Error).message}\n${out}`);
      });
    },
    async stop(signal = "SIGTERM") {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((r) => c.once("exit", () => r()));
      c.kill(signal);
      await exited;
    },
    async restart() {
      await broker.stop();
      await broker.start();
    },
    async close() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}
