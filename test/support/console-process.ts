/**
 * The console as a user (and the systemd unit) starts it: `node main.ts`, one process, in a
 * child process with a clean environment (nothing from the developer's shell or a local
 * .env), its output collected for assertions. On a Node without type stripping (< 22.18)
 * tsx loads the TypeScript instead (`node --import tsx main.ts`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Node strips TypeScript types itself (22.18+, unflagged): no loader needed. */
export const NODE_STRIPS_TYPES = Boolean((process.features as { typescript?: unknown }).typescript);
/** The arguments before a .ts entry point: none where Node strips types itself, tsx's loader elsewhere. */
export const TS_LOADER_ARGS: readonly string[] = NODE_STRIPS_TYPES ? [] : ["--import", "tsx"];

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForOutput: (re: RegExp, timeoutMs?: number) => Promise<void>;
}

export function startConsole(env: Record<string, string>, opts: { wrap?: string[] } = {}): Running {
  // `wrap`: a command prefix the console runs under (e.g. unshare, to see a private mount).
  const [command, ...args] = [...(opts.wrap ?? []), process.execPath, ...TS_LOADER_ARGS, "main.ts"];
  const child = spawn(command as string, args, {
    cwd: ROOT,
    // A clean environment: nothing from the developer's shell or a local .env leaks in.
    // LOCAL_UI_PORT=0, WEB_PORT=0: local mode's page and the dashboard on free ports, so test
    // processes never collide on 8080 and 8081.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ENV_FILE: "/dev/null",
      LOCAL_UI_PORT: "0",
      WEB_PORT: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => out,
    exited,
    waitForOutput: (re, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (re.test(out)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${re} in output:\n${out}`));
        }, timeoutMs);
        listeners.add(check);
        check();
        void exited.then(() => {
          if (!re.test(out)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`process exited before ${re}; output:\n${out}`));
          }
        });
      }),
  };
}

/** The address local mode prints for its page ("Open http://127.0.0.1:PORT/?token=..."), once it is printed. */
export async function localPageUrl(run: Running, timeoutMs = 30_000): Promise<URL> {
  const printed = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;
  await run.waitForOutput(printed, timeoutMs);
  return new URL(printed.exec(run.output())?.[1] ?? "");
}
