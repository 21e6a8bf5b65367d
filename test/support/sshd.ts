/**
 * SSH servers on loopback for the server-check tests and the bench.
 *
 * - startOpenSshServer: a real OpenSSH `sshd -D -e -f CONFIG` on 127.0.0.1 and a free
 *   port, with a fresh ed25519 host key and client key (ssh-keygen) in a temp dir, key
 *   authentication only, for the current user (`whoami`; root may log in with a key).
 *   Only where /usr/sbin/sshd exists: see sshdAvailable().
 * - startSsh2TestServer: ssh2's own Server, which accepts the client key for one user and
 *   runs the exec'd command with /bin/sh locally (so `sh -s` + a script on stdin behaves
 *   as on a real host), or answers canned text; it can drop the connection mid-command,
 *   hang without answering, or answer slowly. It counts connections and records what
 *   happened (auth, exec, channel close, socket close) for assertions.
 *
 * Both return { port, hostKeyFingerprint, clientPrivateKey, user, stop() }.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { ServerChannel } from "ssh2";
import ssh2 from "ssh2";
import { fingerprintOfPublicKeyLine, sha256Fingerprint } from "../../servers/fingerprint.ts";
import { generateEd25519KeyPair, parseKey, publicKeyVerdict } from "../../servers/keys.ts";

export { generateEd25519KeyPair };

export const SSHD_PATH = "/usr/sbin/sshd";
export const LOOPBACK = "127.0.0.1";

export interface TestSshServer {
  kind: "openssh" | "ssh2";
  host: string;
  port: number;
  /** "SHA256:..." of the server's host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  /** A private key the server accepts for `user` (OpenSSH format). */
  clientPrivateKey: Buffer;
  user: string;
  stop(): Promise<void>;
}

export interface OpenSshTestServer extends TestSshServer {
  kind: "openssh";
  dir: string;
  /** The host key's .pub file (for `ssh-keygen -lf`). */
  hostKeyPubFile: string;
  /** sshd's log lines so far (it runs with -e and LogLevel VERBOSE). */
  log(): string[];
  /** Resolves with the first log line at index >= `from` matching `re`; rejects after `timeoutMs`. */
  waitForLog(re: RegExp, opts?: { from?: number; timeoutMs?: number }): Promise<string>;
}

/** False where OpenSSH's server is not installed, or when SEROMA_TEST_NO_SSHD=1 asks for the ssh2 fallback. */
export function sshdAvailable(): boolean {
  if (process.env.SEROMA_TEST_NO_SSHD === "1") return false;
  return existsSync(SSHD_PATH) && existsSync("/usr/bin/ssh-keygen");
}

/** The current user's name, as `whoami` prints it. */
export function currentUser(): string {
  return userInfo().username;
}

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, LOOPBACK, () => resolve());
  });
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === "string") throw new Error("no port");
  return addr.port;
}

function keygen(file: string, comment: string): void {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file], { stdio: "ignore" });
}

export async function startOpenSshServer(): Promise<OpenSshTestServer> {
  if (!sshdAvailable()) throw new Error(`${SSHD_PATH} is not installed (apt-get install -y openssh-server)`);
  const dir = mkdtempSync(join(tmpdir(), "seroma-sshd-"));
  const user = currentUser();
  try {
    const hostKey = join(dir, "ssh_host_ed25519_key");
    const clientKey = join(dir, "client_ed25519");
    keygen(hostKey, "seroma-test-host");
    keygen(clientKey, "seroma-test-client");
    // %u: only this user's file exists, so another (existing) user is refused with our key.
    writeFileSync(join(dir, `authorized_keys.${user}`), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
    try {
      mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // privilege separation directory (as root)
    } catch {
      // not root: sshd runs unprivileged and needs no chroot directory
    }
    const hostKeyPubFile = `${hostKey}.pub`;
    const fingerprint = fingerprintOfPublicKeyLine(readFileSync(hostKeyPubFile, "utf8"));
    if (!fingerprint) throw new Error(`cannot read ${hostKeyPubFile}`);

    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const config = join(dir, "sshd_config");
      writeFileSync(
        config,
        [
          `Port ${port}`,
          `ListenAddress ${LOOPBACK}`,
          `HostKey ${hostKey}`,
          `PidFile ${join(dir, "sshd.pid")}`,
          `AuthorizedKeysFile ${join(dir, "authorized_keys.%u")}`,
          "StrictModes no",
          "UsePAM no",
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "PubkeyAuthentication yes",
          "PermitRootLogin prohibit-password",
          "AllowTcpForwarding no",
          "X11Forwarding no",
          "UseDNS no",
          "PrintMotd no",
          "LogLevel VERBOSE",
          "",
        ].join("\n"),
      );
      const lines: string[] = [];
      const proc = spawn(SSHD_PATH, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
      let partial = "";
      proc.stderr?.setEncoding("utf8");
      proc.stderr?.on("data", (chunk: string) => {
        partial += chunk;
        const parts = partial.split("\n");
        partial = parts.pop() ?? "";
        lines.push(...parts);
      });
      const started = await waitForListening(proc, lines, port);
      if (started === true) {
        return {
          kind: "openssh",
          host: LOOPBACK,
          port,
          hostKeyFingerprint: fingerprint,
          hostKeyPubFile,
          clientPrivateKey: readFileSync(clientKey),
          user,
          dir,
          log: () => [...lines],
          waitForLog: (re, opts = {}) => waitForLine(lines, re, opts.from ?? 0, opts.timeoutMs ?? 5_000),
          stop: async () => {
            await killAndWait(proc);
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      lastError = started;
      await killAndWait(proc);
      if (!/in use/i.test(started.message)) break;
    }
    throw lastError ?? new Error("sshd did not start");
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** true once sshd says it listens; an Error (with its log) if it exits or stays silent. */
async function waitForListening(proc: ChildProcess, lines: string[], port: number): Promise<true | Error> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (lines.some((l) => l.includes(`Server listening on ${LOOPBACK} port ${port}`))) return true;
    if (proc.exitCode !== null || proc.signalCode !== null) {
      return new Error(`sshd exited (${proc.exitCode ?? proc.signalCode}):\n${lines.join("\n")}`);
    }
    await sleep(20);
  }
  return new Error(`sshd did not start listening within 10 s:\n${lines.join("\n")}`);
}

async function waitForLine(lines: string[], re: RegExp, from: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = lines.slice(from).find((l) => re.test(l));
    if (hit !== undefined) return hit;
    if (Date.now() > deadline)
      throw new Error(`no sshd log line matched ${re}; log since:\n${lines.slice(from).join("\n")}`);
    await sleep(20);
  }
}

async function killAndWait(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.kill("SIGTERM");
  await exited;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// ssh2's own server

export type Ssh2Behaviour =
  /** Run the command (or the canned answer) and exit. */
  | "normal"
  /** Run the command; at its first output, destroy the TCP connection. */
  | "drop-mid-command"
  /** Accept the exec and never answer: no output, no exit, until the client gives up. */
  | "hang"
  /** Wait `delayMs` before running the command. */
  | "slow";

export interface CannedAnswer {
  stdout: string;
  stderr?: string;
  code: number;
}

export interface Ssh2ServerOptions {
  behaviour?: Ssh2Behaviour;
  /** For "slow" (default 1000 ms). */
  delayMs?: number;
  /** Answer every exec with this instead of running /bin/sh. */
  answer?: CannedAnswer;
  /** The user allowed to log in (default: the current user). */
  user?: string;
  /** Host key pair (OpenSSH format, e.g. from generateEd25519KeyPair); a fresh ed25519 one by default. */
  hostKeys?: { private: string; public: string };
  /** Client key pair to accept; a fresh ed25519 one by default (share one across many servers to save time). */
  clientKeys?: { private: string; public: string };
  /** Extra environment for the commands it runs (e.g. a PATH that finds a fake `df` first). */
  env?: Record<string, string>;
}

export interface Ssh2TestServer extends TestSshServer {
  kind: "ssh2";
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** What happened, in order: "connect", "auth-ok", "auth-rejected:<user>", "exec:<cmd>", "channel-closed", "dropped", "disconnect", "socket-closed". */
  readonly events: readonly string[];
  setBehaviour(behaviour: Ssh2Behaviour, delayMs?: number): void;
  /** Resolves when `event` has been recorded at index >= `from` (rejects after timeoutMs). */
  waitForEvent(event: string, opts?: { from?: number; timeoutMs?: number }): Promise<void>;
}

export async function startSsh2TestServer(opts: Ssh2ServerOptions = {}): Promise<Ssh2TestServer> {
  const hostKeys = opts.hostKeys ?? generateEd25519KeyPair();
  const clientKeys = opts.clientKeys ?? generateEd25519KeyPair();
  const user = opts.user ?? currentUser();
  let behaviour: Ssh2Behaviour = opts.behaviour ?? "normal";
  let delayMs = opts.delayMs ?? 1_000;
  const events: string[] = [];
  let connections = 0;

  const hostPublic = parseKey(hostKeys.public);
  const allowed = parseKey(clientKeys.public);
  const sockets = new Map<number, Socket>(); // by the client's port
  const children = new Set<ChildProcess>();

  const server = new ssh2.Server({ hostKeys: [hostKeys.private] });
  server.on("connection", (conn, info) => {
    const raw = sockets.get(info.port);
    conn.on("error", () => {});
    conn.on("authentication", (ctx) => {
      const verdict = publicKeyVerdict(ctx, user, allowed);
      if (verdict === "rejected") {
        if (ctx.method === "publickey") events.push(`auth-rejected:${ctx.username}`);
        ctx.reject(["publickey"]);
        return;
      }
      if (verdict === "signed") events.push("auth-ok");
      ctx.accept(); // "key-ok": "this key would do", the client signs next
    });
    conn.on("ready", () => {
      conn.on("session", (acceptSession) => {
        const session = acceptSession();
        // No "signal" handler: ssh2's server never delivers a signal request that comes
        // after exec (it routes it to the exec channel, which ignores it), so the signals
        // the client sends go nowhere here, as with OpenSSH for root logins.
        session.on("exec", (accept, _reject, execInfo) => {
          events.push(`exec:${execInfo.command}`);
          const stream = accept();
          stream.on("close", () => events.push("channel-closed"));
          stream.on("error", () => {});
          if (behaviour === "hang") {
            stream.resume(); // read and ignore the script; never answer
            return;
          }
          const mode = behaviour;
          const go = () => {
            if (stream.destroyed) return;
            if (opts.answer) {
              answerCanned(stream, opts.answer, mode === "drop-mid-command" ? raw : undefined, events);
              return;
            }
            const child = runLocally(
              stream,
              execInfo.command,
              mode === "drop-mid-command" ? raw : undefined,
              events,
              opts.env,
            );
            children.add(child);
            child.once("close", () => children.delete(child));
          };
          if (mode === "slow") setTimeout(go, delayMs);
          else go();
        });
      });
    });
    conn.on("end", () => events.push("disconnect"));
  });

  const tcp: NetServer = createServer((sock) => {
    connections++;
    events.push("connect");
    const port = sock.remotePort;
    if (port !== undefined) sockets.set(port, sock);
    sock.on("close", () => {
      events.push("socket-closed");
      if (port !== undefined) sockets.delete(port);
    });
    sock.on("error", () => {});
    server.injectSocket(sock);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(0, LOOPBACK, () => resolve());
  });
  const addr = tcp.address();
  if (addr === null || typeof addr === "string") throw new Error("no port");

  return {
    kind: "ssh2",
    host: LOOPBACK,
    port: addr.port,
    hostKeyFingerprint: sha256Fingerprint(hostPublic.getPublicSSH()),
    clientPrivateKey: Buffer.from(clientKeys.private),
    user,
    get connections() {
      return connections;
    },
    get events() {
      return events;
    },
    setBehaviour(b, ms) {
      behaviour = b;
      if (ms !== undefined) delayMs = ms;
    },
    waitForEvent: async (event, { from = 0, timeoutMs = 5_000 } = {}) => {
      const deadline = Date.now() + timeoutMs;
      while (!events.slice(from).includes(event)) {
        if (Date.now() > deadline) throw new Error(`event ${event} not seen; events: ${events.join(", ")}`);
        await sleep(10);
      }
    },
    stop: async () => {
      for (const c of children) killGroup(c, "KILL");
      for (const s of sockets.values()) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

function killGroup(child: ChildProcess, name: string): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const sig = (name.startsWith("SIG") ? name : `SIG${name}`) as NodeJS.Signals;
  try {
    process.kill(-child.pid, sig); // the whole group: sh and what it started
  } catch {
    child.kill(sig);
  }
}

/**
 * Runs the exec'd command with /bin/sh in its own process group, wired to the channel
 * as sshd does it: when the channel closes, the command's stdin is closed (and nothing
 * is killed: that is the command's business, as on a real host).
 */
function runLocally(
  stream: ServerChannel,
  command: string,
  dropOn: Socket | undefined,
  events: string[],
  env?: Record<string, string>,
): ChildProcess {
  const child = spawn("/bin/sh", ["-c", command], {
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  let dropped = false;
  child.stdin?.on("error", () => {});
  stream.on("data", (d: Buffer) => child.stdin?.write(d));
  stream.on("end", () => child.stdin?.end());
  stream.on("close", () => child.stdin?.end());
  child.stdout?.on("data", (d: Buffer) => {
    if (dropped || stream.destroyed) return;
    stream.write(d);
    if (dropOn) {
      dropped = true;
      events.push("dropped");
      setImmediate(() => dropOn.destroy()); // let the output leave first: "dropped mid-command"
    }
  });
  child.stderr?.on("data", (d: Buffer) => {
    if (!dropped && !stream.destroyed) stream.stderr.write(d);
  });
  child.on("close", (code, signal) => {
    if (dropped || stream.destroyed) return;
    try {
      if (code !== null) stream.exit(code);
      else stream.exit((signal ?? "SIGKILL").replace(/^SIG/, ""), false, "");
      stream.end();
    } catch {
      // the channel went away first
    }
  });
  return child;
}

function answerCanned(stream: ServerChannel, answer: CannedAnswer, dropOn: Socket | undefined, events: string[]): void {
  stream.write(answer.stdout);
  if (dropOn) {
    events.push("dropped");
    setImmediate(() => dropOn.destroy());
    return;
  }
  if (answer.stderr) stream.stderr.write(answer.stderr);
  stream.exit(answer.code);
  stream.end();
}

/** A real sshd where installed, ssh2's server otherwise. */
export async function startTestSshServer(): Promise<TestSshServer> {
  return sshdAvailable() ? startOpenSshServer() : startSsh2TestServer();
}

/** A TCP server on 127.0.0.1 that accepts connections and never says a word (for connect timeouts). */
export async function startSilentTcpServer(): Promise<{ port: number; accepted: () => number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const srv = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, LOOPBACK, () => resolve());
  });
  const addr = srv.address();
  if (addr === null || typeof addr === "string") throw new Error("no port");
  return {
    port: addr.port,
    accepted: () => accepted,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}
