/**
 * The SSH side of server checks: one connection per host run, the host's key checked
 * against its pin before anything else is sent, key authentication only, one command,
 * bounded in time and in output. Every outcome is a value: these functions never reject.
 *
 * How the script travels: the remote command is always the fixed string `sh -s`
 * (REMOTE_COMMAND), and the script is written to its stdin inside a wrapper
 * (wrapScript):
 *
 *     {
 *     exec 3<&0
 *     (read -r _ <&3; kill -KILL 0) >/dev/null 2>&1 &
 *     seroma_watchdog=$!
 *     (
 *     <script>
 *     ) </dev/null 3<&-
 *     seroma_rc=$?
 *     kill "$seroma_watchdog" 2>/dev/null
 *     exit "$seroma_rc"
 *     }
 *
 * - The login shell only ever sees `sh -s`, so the script is interpreted by a POSIX sh
 *   whatever the account's shell is (bash, dash, fish, BusyBox ash), and nothing in the
 *   script is quoted into a command line.
 * - The outer group is parsed whole before anything runs (a truncated transfer runs
 *   nothing), and the script's commands read /dev/null, so a command that reads stdin
 *   cannot swallow the script or wait for input. `exit` inside the script ends only the
 *   subshell.
 * - We never close stdin: the wrapper's own `exit` ends the shell. Instead stdin is the
 *   dead man's switch: when our channel or connection closes (timeout, abort, output
 *   cap, a lost link), sshd closes the command's stdin, the watchdog's `read` returns and
 *   it kills the command's whole process group. Closing the connection alone does not
 *   stop a command on an OpenSSH server, and the "signal" request we also send (SIGKILL
 *   to the process group) is refused by OpenSSH for root logins ("session signalling
 *   requires privilege separation") and unsupported before OpenSSH 7.9. ssh2 only sends
 *   that request while the channel is still writable, which is one more reason not to
 *   close stdin.
 */
import { readFile } from "node:fs/promises";
import { Socket } from "node:net";
import type { ClientChannel, ConnectConfig, Client as Ssh2Client, utils as Ssh2Utils } from "ssh2";
import type { ConnectFailure, HostSpec } from "../core/servers/types.ts";
import { isFingerprint, keyTypeOf, sameFingerprint, sha256Fingerprint } from "./fingerprint.ts";
import { ssh2 } from "./ssh2-library.ts";

/** What the login shell is asked to run; the script comes on its stdin. */
export const REMOTE_COMMAND = "sh -s";
/** Default cap on stdout + stderr together, so a hostile host cannot exhaust our memory. */
export const MAX_OUTPUT_BYTES = 1024 * 1024;
/** After we end a connection, how long the peer gets to close its side before the socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

export type RunTarget = Pick<HostSpec, "name" | "address" | "port" | "user" | "hostKey">;

export interface RunOptions {
  /** The private key's contents (OpenSSH or PEM), not its path: see readPrivateKey. */
  privateKey: Buffer | string;
  /** TCP connect + SSH handshake + authentication, in ms (ssh2's readyTimeout). */
  connectTimeoutMs: number;
  /** From the session being ready to the command's end, in ms; over it the command is killed. */
  commandTimeoutMs: number;
  /** Aborting stops the run at once (the command is killed, the connection closed): kind "dropped". */
  signal?: AbortSignal;
  /** Cap on stdout + stderr together (default MAX_OUTPUT_BYTES); over it the command is stopped: kind "dropped". */
  maxOutputBytes?: number;
}

export type RunSuccess = { ok: true; stdout: string; stderr: string; code: number | null; hostKey: string };
export type RunFailure = { ok: false; kind: ConnectFailure; message: string; presentedHostKey?: string };
export type RunResult = RunSuccess | RunFailure;

export type HostKeyResult =
  | { ok: true; fingerprint: string; keyType: string }
  | { ok: false; kind: ConnectFailure; message: string };

export type PrivateKeyResult = { ok: true; key: Buffer } | { ok: false; kind: "key-file"; message: string };

type SshError = Error & { level?: string; code?: string };

/** The script as sent on `sh -s`'s stdin (see the header comment). */
export function wrapScript(script: string): string {
  const body = script.trim() === "" ? ":" : script;
  return [
    "{",
    "exec 3<&0",
    "(read -r _ <&3; kill -KILL 0) >/dev/null 2>&1 &",
    "seroma_watchdog=$!",
    "(",
    body,
    ") </dev/null 3<&-",
    "seroma_rc=$?",
    'kill "$seroma_watchdog" 2>/dev/null',
    'exit "$seroma_rc"',
    "}",
    "",
  ].join("\n");
}

/** Checks that `key` is an unencrypted private key ssh2 can use; the message says why not. */
export function checkPrivateKey(key: Buffer | string): { ok: true } | { ok: false; kind: "key-file"; message: string } {
  if (key.length === 0) return { ok: false, kind: "key-file", message: "the SSH private key is empty" };
  let parsed: ReturnType<typeof Ssh2Utils.parseKey>;
  try {
    parsed = ssh2().utils.parseKey(key);
  } catch (err) {
    return { ok: false, kind: "key-file", message: `the SSH private key cannot be parsed: ${errorText(err)}` };
  }
  if (parsed instanceof Error) {
    const encrypted = /passphrase|encrypted/i.test(parsed.message);
    return {
      ok: false,
      kind: "key-file",
      message: encrypted
        ? "the SSH private key is protected by a passphrase; give the console a key without one"
        : `the SSH private key cannot be parsed: ${parsed.message}`,
    };
  }
  const first = Array.isArray(parsed) ? (parsed[0] as typeof parsed | undefined) : parsed;
  if (!first?.isPrivateKey() || !first.getPrivatePEM()) {
    return { ok: false, kind: "key-file", message: "the SSH key given is not a private key (a .pub file?)" };
  }
  return { ok: true };
}

/** Reads and checks a private key file; never rejects. */
export async function readPrivateKey(path: string): Promise<PrivateKeyResult> {
  let key: Buffer;
  try {
    key = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "it does not exist"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory"
            : errorText(err);
    return { ok: false, kind: "key-file", message: `cannot read the SSH private key file ${path}: ${why}` };
  }
  const checked = checkPrivateKey(key);
  if (!checked.ok) return { ok: false, kind: "key-file", message: `${path}: ${checked.message}` };
  return { ok: true, key };
}

/**
 * Connects to one host, checks its key against the pin, logs in with the key, runs the
 * script once (see the header comment for how) and closes. Never rejects.
 */
export function runOnHost(spec: RunTarget, script: string, opts: RunOptions): Promise<RunResult> {
  const label = `${spec.name} (${spec.address}:${spec.port})`;
  if (!isFingerprint(spec.hostKey)) {
    return Promise.resolve({
      ok: false,
      kind: "host-key-mismatch",
      message: `${label} has no valid pinned host key (expected "SHA256:..."); refusing to connect without one`,
    });
  }
  const key = checkPrivateKey(opts.privateKey);
  if (!key.ok) return Promise.resolve(key);
  if (opts.signal?.aborted)
    return Promise.resolve({ ok: false, kind: "dropped", message: `${label}: check cancelled` });
  const maxOutput = opts.maxOutputBytes ?? MAX_OUTPUT_BYTES;

  return new Promise<RunResult>((resolve) => {
    const client = new (ssh2().Client)();
    const sock = new Socket();
    let settled = false;
    let ready = false;
    let presented: string | undefined;
    let mismatch = false;
    let channel: ClientChannel | undefined;
    let commandTimer: NodeJS.Timeout | undefined;
    /** The connection has closed (set at once, before ssh2 closes the channels it had open). */
    let lost = false;

    const onAbort = () => {
      stopCommand();
      finish({ ok: false, kind: "dropped", message: `${label}: check cancelled` });
    };

    function stopCommand(): void {
      if (!channel) return;
      try {
        channel.signal("KILL");
      } catch {
        // the server may not support signals; closing the channel is what is left
      }
      try {
        channel.close();
      } catch {}
    }

    function finish(result: RunResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(commandTimer);
      opts.signal?.removeEventListener("abort", onAbort);
      closeQuietly(client, sock, ready);
      resolve(result);
    }

    function failure(err: SshError): RunFailure {
      if (mismatch) {
        return {
          ok: false,
          kind: "host-key-mismatch",
          message: `${label} presented host key ${presented}, not its pinned key ${spec.hostKey}; refused before logging in (reinstalled host, or something impersonating it)`,
          presentedHostKey: presented,
        };
      }
      return classify(err, label, { ready, connectTimeoutMs: opts.connectTimeoutMs, user: spec.user });
    }

    client.on("error", (err: SshError) => {
      if (channel) stopCommand();
      finish(failure(err));
    });
    client.on("close", () => {
      lost = true;
      // A channel the server closed just before finishes on a later tick.
      setImmediate(() =>
        finish(
          ready
            ? { ok: false, kind: "dropped", message: `${label}: the connection was lost before the command finished` }
            : { ok: false, kind: "unreachable", message: `${label} closed the connection before SSH was set up` },
        ),
      );
    });
    client.on("ready", () => {
      ready = true;
      if (settled) return;
      commandTimer = setTimeout(() => {
        stopCommand();
        finish({
          ok: false,
          kind: "dropped",
          message: `${label}: the command did not finish within ${opts.commandTimeoutMs} ms; it was killed and the connection closed`,
        });
      }, opts.commandTimeoutMs);
      client.exec(REMOTE_COMMAND, (err, ch) => {
        if (settled) {
          ch?.close();
          return;
        }
        if (err) {
          finish({ ok: false, kind: "dropped", message: `${label} refused to run the command: ${err.message}` });
          return;
        }
        channel = ch;
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let bytes = 0;
        let code: number | null = null;
        let exited = false;
        let closed = false;
        let stderrEnded = false;
        const take = (into: Buffer[]) => (chunk: Buffer) => {
          if (settled) return;
          bytes += chunk.length;
          if (bytes > maxOutput) {
            stopCommand();
            finish({
              ok: false,
              kind: "dropped",
              message: `${label} printed more than ${maxOutput} bytes of output; the command was stopped`,
            });
            return;
          }
          into.push(chunk);
        };
        const done = () => {
          if (!closed || !stderrEnded) return;
          // Without an exit status, a channel closed along with the connection did not finish.
          if (lost && !exited) {
            finish({
              ok: false,
              kind: "dropped",
              message: `${label}: the connection was lost before the command finished`,
            });
            return;
          }
          finish({
            ok: true,
            stdout: Buffer.concat(stdout).toString("utf8"),
            stderr: Buffer.concat(stderr).toString("utf8"),
            code,
            hostKey: presented ?? spec.hostKey,
          });
        };
        ch.on("data", take(stdout));
        ch.stderr.on("data", take(stderr));
        ch.stderr.on("end", () => {
          stderrEnded = true;
          done();
        });
        ch.on("exit", (c: number | null) => {
          exited = true;
          code = typeof c === "number" ? c : null;
        });
        ch.on("close", () => {
          closed = true;
          done();
        });
        ch.write(wrapScript(script));
      });
    });

    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const config: ConnectConfig = {
      sock,
      host: spec.address,
      port: spec.port,
      username: spec.user,
      privateKey: opts.privateKey,
      // Key authentication only: no "none" probe, no password, no agent, no keyboard-interactive.
      authHandler: ["publickey"],
      tryKeyboard: false,
      readyTimeout: opts.connectTimeoutMs,
      hostVerifier: (hostKey: Buffer): boolean => {
        presented = sha256Fingerprint(hostKey);
        if (sameFingerprint(presented, spec.hostKey)) return true;
        mismatch = true;
        return false;
      },
    };
    try {
      sock.connect({ host: spec.address, port: spec.port });
      client.connect(config);
    } catch (err) {
      sock.destroy();
      const text = errorText(err);
      finish(
        /privateKey|private key/i.test(text)
          ? { ok: false, kind: "key-file", message: `the SSH private key cannot be used: ${text}` }
          : { ok: false, kind: "unreachable", message: `${label}: cannot connect: ${text}` },
      );
    }
  });
}

/**
 * Connects, reads the host key the server presents, and hangs up before authenticating
 * (the verifier refuses the key, so no credentials are ever sent). For /addserver: the
 * admin confirms the fingerprint before it is pinned. Never rejects.
 *
 * The fingerprint is of the key ssh2 negotiates (it prefers ed25519, then ECDSA, then
 * RSA), the same key runOnHost will be shown later.
 */
export function fetchHostKey(address: string, port: number, opts: { timeoutMs: number }): Promise<HostKeyResult> {
  const label = `${address}:${port}`;
  return new Promise<HostKeyResult>((resolve) => {
    const client = new (ssh2().Client)();
    const sock = new Socket();
    let settled = false;
    let captured: { fingerprint: string; keyType: string } | undefined;

    function finish(result: HostKeyResult): void {
      if (settled) return;
      settled = true;
      closeQuietly(client, sock, false);
      resolve(result);
    }
    const fromCapture = (): HostKeyResult | undefined => (captured ? { ok: true, ...captured } : undefined);

    client.on("error", (err: SshError) => {
      const f = classify(err, label, { ready: false, connectTimeoutMs: opts.timeoutMs, user: "" });
      finish(fromCapture() ?? { ok: false, kind: f.kind, message: f.message });
    });
    client.on("close", () => {
      finish(
        fromCapture() ?? {
          ok: false,
          kind: "unreachable",
          message: `${label} closed the connection before SSH was set up`,
        },
      );
    });
    client.on("ready", () => {
      // Only a server that lets anyone in with "none" gets here; we still send nothing.
      finish(fromCapture() ?? { ok: false, kind: "unreachable", message: `${label}: no host key seen` });
    });
    try {
      sock.connect({ host: address, port });
      client.connect({
        sock,
        host: address,
        port,
        username: "seroma-hostkey-probe",
        authHandler: [],
        tryKeyboard: false,
        readyTimeout: opts.timeoutMs,
        hostVerifier: (hostKey: Buffer): boolean => {
          // Refusing here makes ssh2 hang up with "host key verification failed" before any
          // authentication; the "error" that follows resolves with the captured key.
          captured = { fingerprint: sha256Fingerprint(hostKey), keyType: keyTypeOf(hostKey) ?? "unknown" };
          return false;
        },
      });
    } catch (err) {
      sock.destroy();
      finish({ ok: false, kind: "unreachable", message: `${label}: cannot connect: ${errorText(err)}` });
    }
  });
}

function classify(
  err: SshError,
  label: string,
  ctx: { ready: boolean; connectTimeoutMs: number; user: string },
): { ok: false; kind: ConnectFailure; message: string } {
  const code = err.code ?? "";
  if (err.level === "client-timeout" || code === "ETIMEDOUT") {
    return {
      ok: false,
      kind: "timeout",
      message: `${label} did not complete the SSH connection within ${ctx.connectTimeoutMs} ms`,
    };
  }
  if (err.level === "client-authentication") {
    return {
      ok: false,
      kind: "auth-failed",
      message: `${label} refused our key for user "${ctx.user}" (wrong user, or the key is not in that user's authorized_keys)`,
    };
  }
  if (err.level === "client-socket" || err.level === "client-dns" || code !== "") {
    switch (code) {
      case "ECONNREFUSED":
        return { ok: false, kind: "unreachable", message: `${label} refused the connection (is SSH running there?)` };
      case "EHOSTUNREACH":
      case "ENETUNREACH":
      case "EHOSTDOWN":
      case "ENETDOWN":
        return { ok: false, kind: "unreachable", message: `${label}: no route to the host (${code})` };
      case "ENOTFOUND":
      case "EAI_AGAIN":
      case "EAI_NONAME":
      case "EAI_FAIL":
        return { ok: false, kind: "unreachable", message: `${label}: the name does not resolve (${code})` };
    }
    if (ctx.ready) {
      return {
        ok: false,
        kind: "dropped",
        message: `${label}: the connection was lost while the command ran (${code || err.message})`,
      };
    }
    return { ok: false, kind: "unreachable", message: `${label}: the connection failed (${code || err.message})` };
  }
  if (ctx.ready) {
    return { ok: false, kind: "dropped", message: `${label}: the SSH session failed: ${err.message}` };
  }
  return { ok: false, kind: "unreachable", message: `${label}: the SSH handshake failed: ${err.message}` };
}

/**
 * After a session was set up: ends it politely (SSH disconnect, FIN) and destroys the
 * socket if the peer does not close its side soon. Before that: destroys it at once.
 */
function closeQuietly(client: Ssh2Client, sock: Socket, established: boolean): void {
  if (sock.destroyed) return;
  if (!established) {
    sock.destroy();
    return;
  }
  try {
    client.end();
  } catch {}
  const timer = setTimeout(() => sock.destroy(), CLOSE_GRACE_MS);
  timer.unref();
  sock.once("close", () => clearTimeout(timer));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
