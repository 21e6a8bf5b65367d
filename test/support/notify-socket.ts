/**
 * A stand-in for systemd's notification socket: a unix datagram socket (a path, or an
 * abstract `@name`) that records every message it receives, as systemd would read them.
 * Node cannot open AF_UNIX datagram sockets, so the listener is a few lines of Python
 * (Debian's python3); where there is none, `startNotifySocket` returns undefined and the
 * tests that need it skip. Like systemd, it closes the file descriptors a message carries
 * (systemd-notify's BARRIER=1 waits for that).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";

const LISTENER = String.raw`
import array, json, os, socket, sys
name = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + name[1:] if name.startswith("@") else name)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print(json.dumps({"listening": True}), flush=True)
while True:
    data, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(64 * 4) + socket.CMSG_SPACE(12))
    pid = None
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                os.close(fd)
        elif level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = int.from_bytes(payload[0:4], sys.byteorder)
    print(json.dumps({"message": data.decode(), "pid": pid}), flush=True)
`;

export interface NotifyMessage {
  /** The datagram, e.g. "READY=1\nSTATUS=..." */
  message: string;
  /** Its assignments. */
  fields: Record<string, string>;
  /** The sender's pid (SCM_CREDENTIALS). */
  pid: number | undefined;
}

export interface NotifySocket {
  /** What NOTIFY_SOCKET is set to. */
  readonly address: string;
  readonly messages: NotifyMessage[];
  waitFor(predicate: (m: NotifyMessage) => boolean, timeoutMs?: number): Promise<NotifyMessage>;
  close(): Promise<void>;
}

let python: string | null | undefined;
/** Debian's python3, if installed. */
export function python3(): string | undefined {
  if (python === undefined) {
    python = null;
    for (const candidate of ["/usr/bin/python3", "python3"]) {
      if (spawnSync(candidate, ["-c", "import socket; socket.SCM_CREDENTIALS"]).status === 0) {
        python = candidate;
        break;
      }
    }
  }
  return python ?? undefined;
}

export async function startNotifySocket(address: string): Promise<NotifySocket | undefined> {
  const py = python3();
  if (!py) return undefined;
  const child: ChildProcess = spawn(py, ["-u", "-c", LISTENER, address], { stdio: ["ignore", "pipe", "pipe"] });
  const messages: NotifyMessage[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  let errors = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    errors += d;
  });
  let listening: () => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    listening = resolve;
    child.once("exit", (code) => reject(new Error(`the notify socket listener exited (${code}): ${errors}`)));
  });
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    buffer += d;
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as { listening?: boolean; message?: string; pid?: number | null };
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf("\n");
      if (line.listening) listening();
      if (line.message === undefined) continue;
      const fields: Record<string, string> = {};
      for (const assignment of line.message.split("\n")) {
        const eq = assignment.indexOf("=");
        if (eq > 0) fields[assignment.slice(0, eq)] = assignment.slice(eq + 1);
      }
      messages.push({ message: line.message, fields, pid: line.pid ?? undefined });
      for (const w of waiters) w();
    }
  });
  await ready;
  return {
    address,
    messages,
    waitFor: (predicate, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`timed out waiting for a notification; got: ${JSON.stringify(messages.map((m) => m.message))}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await gone;
    },
  };
}
