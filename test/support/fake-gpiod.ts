/**
 * A fake installation of libgpiod's tools for the "pir-gpiod" driver: a temporary folder
 * whose bin/ holds `gpiomon`, `gpiodetect` and `gpioget` (shell wrappers running
 * fake-gpiod-tool.mjs), to put first on PATH through the driver's `env`. The board (chips,
 * tools' version, permissions, the line's level) is a JSON file the tools read at every
 * start; each gpiomon connects back over a Unix socket, and the test drives it from here:
 * print an edge, exit, get killed. Every wait is on an event, never on time.
 */
import assert from "node:assert/strict";
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { MotionEvent } from "../../core/motion/sensor.ts";

const TOOL = fileURLToPath(new URL("./fake-gpiod-tool.mjs", import.meta.url));

export interface FakeChip {
  name: string;
  label: string;
  lines: number;
  /** The 40-pin header's chip: its lines are named GPIO0..GPIO27. */
  header?: boolean;
}

/** gpiodetect on a Pi 4 (and 400, CM4): the SoC's chip, then the firmware's expander. */
export const PI4_CHIPS: FakeChip[] = [
  { name: "gpiochip0", label: "pinctrl-bcm2711", lines: 58, header: true },
  { name: "gpiochip1", label: "raspberrypi-exp-gpio", lines: 8 },
];

/** gpiodetect on a Pi 3 / Zero 2 W. */
export const PI3_CHIPS: FakeChip[] = [
  { name: "gpiochip0", label: "pinctrl-bcm2835", lines: 54, header: true },
  { name: "gpiochip1", label: "raspberrypi-exp-gpio", lines: 8 },
];

/** gpiodetect on a Pi 5 with its first kernels (6.1): the RP1 chip that drives the header is gpiochip4. */
export const PI5_EARLY_CHIPS: FakeChip[] = [
  { name: "gpiochip0", label: "gpio-brcmstb@107d508500", lines: 32 },
  { name: "gpiochip1", label: "gpio-brcmstb@107d508520", lines: 4 },
  { name: "gpiochip2", label: "gpio-brcmstb@107d517c00", lines: 17 },
  { name: "gpiochip3", label: "gpio-brcmstb@107d517c20", lines: 6 },
  { name: "gpiochip4", label: "pinctrl-rp1", lines: 54, header: true },
];

/** gpiodetect on a Pi 5 with newer kernels: RP1 is gpiochip0, the SoC's chips moved up. */
export const PI5_CHIPS: FakeChip[] = [
  { name: "gpiochip0", label: "pinctrl-rp1", lines: 54, header: true },
  { name: "gpiochip10", label: "gpio-brcmstb@107d508500", lines: 32 },
  { name: "gpiochip11", label: "gpio-brcmstb@107d508520", lines: 4 },
  { name: "gpiochip12", label: "gpio-brcmstb@107d517c00", lines: 17 },
  { name: "gpiochip13", label: "gpio-brcmstb@107d517c20", lines: 6 },
];

export interface BoardConfig {
  /** The tools' version: "1.6.3" (Bookworm) or "2.2.1" (Trixie). */
  version: string;
  /** Set: the tools print their own version and this library version ("gpiomon v2.3.2 (libgpiod v2.2.1)"). */
  libraryVersion?: string;
  chips: FakeChip[];
  /** The user may not open /dev/gpiochip*. */
  denied?: boolean;
  /** Another consumer holds the line. */
  busy?: boolean;
  /** gpiomon dies at start with this message on stderr (exit 1). */
  gpiomonFails?: string;
  /** gpiomon starts a helper that holds its stdout (a process-group member). */
  spawnChild?: boolean;
  /** What gpioget reads. */
  level?: 0 | 1;
}

/** One running fake gpiomon, as it said hello. */
export class FakeMonitor {
  closed = false;
  readonly pid: number;
  readonly childPid: number | undefined;
  readonly args: string[];
  private readonly socket: Socket;
  constructor(pid: number, childPid: number | undefined, args: string[], socket: Socket) {
    this.pid = pid;
    this.childPid = childPid;
    this.args = args;
    this.socket = socket;
    socket.on("close", () => {
      this.closed = true;
    });
  }

  private send(command: object): void {
    this.socket.write(`${JSON.stringify(command)}\n`);
  }

  /** The line changes: gpiomon prints the edge in its generation's format. */
  edge(edge: "rising" | "falling"): void {
    this.send({ edge });
  }

  /** gpiomon prints this text as it is. */
  raw(text: string): void {
    this.send({ raw: text });
  }

  /** gpiomon exits with `code`, after saying `stderr` (prefixed "gpiomon: "). */
  exit(code: number, stderr?: string): void {
    this.send({ exit: code, ...(stderr ? { stderr } : {}) });
  }

  /** gpiomon gets this signal (sent by itself: it dies as if killed from outside). */
  kill(signal: NodeJS.Signals): void {
    this.send({ signal });
  }
}

/** Whether a process with this pid exists (and is not a zombie). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

export class FakeGpiod {
  readonly dir: string;
  readonly bin: string;
  readonly monitors: FakeMonitor[] = [];
  private readonly server: Server;
  private readonly waiters: Array<() => void> = [];

  private constructor(board: BoardConfig) {
    this.dir = mkdtempSync(join(tmpdir(), "seroma-gpiod-"));
    this.bin = join(this.dir, "bin");
    mkdirSync(this.bin);
    for (const tool of ["gpiomon", "gpiodetect", "gpioget"]) {
      const path = join(this.bin, tool);
      writeFileSync(path, `#!/bin/sh\nexec '${process.execPath}' '${TOOL}' ${tool} "$@"\n`);
      chmodSync(path, 0o755);
    }
    writeFileSync(join(this.dir, "calls.log"), "");
    this.board(board);
    this.server = createServer((socket) => {
      socket.setEncoding("utf8");
      let input = "";
      socket.on("data", (chunk: string) => {
        input += chunk;
        let nl = input.indexOf("\n");
        while (nl >= 0) {
          const message = JSON.parse(input.slice(0, nl)) as {
            hello?: boolean;
            pid: number;
            childPid?: number;
            args: string[];
          };
          input = input.slice(nl + 1);
          nl = input.indexOf("\n");
          if (message.hello) {
            this.monitors.push(new FakeMonitor(message.pid, message.childPid, message.args, socket));
            for (const wake of this.waiters.splice(0)) wake();
          }
        }
      });
      socket.on("error", () => {});
    });
  }

  static async create(board: BoardConfig): Promise<FakeGpiod> {
    const fake = new FakeGpiod(board);
    await new Promise<void>((resolve, reject) => {
      fake.server.once("error", reject);
      fake.server.listen(join(fake.dir, "control.sock"), resolve);
    });
    return fake;
  }

  /** Changes the board; tools started from now on see it. */
  board(board: BoardConfig): void {
    writeFileSync(join(this.dir, "config.json"), JSON.stringify(board));
  }

  /** The environment to give the driver: these tools first on PATH (sleep found after them). */
  env(): NodeJS.ProcessEnv {
    return { PATH: `${this.bin}:/usr/bin:/bin`, FAKE_GPIOD_DIR: this.dir };
  }

  /** Every tool run so far: its name and arguments. */
  calls(): Array<{ tool: string; args: string[] }> {
    return readFileSync(join(this.dir, "calls.log"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { tool: string; args: string[] });
  }

  /** Marks a point in the log (for "calls since"). */
  note(text: string): void {
    appendFileSync(join(this.dir, "calls.log"), `${JSON.stringify({ tool: "#", args: [text] })}\n`);
  }

  /** Resolves with the `n`th gpiomon (1-based) once it has said hello. */
  async monitor(n: number): Promise<FakeMonitor> {
    while (this.monitors.length < n) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.monitors[n - 1] as FakeMonitor;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const m of this.monitors) m.exit(0);
    });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A listener that records events and lets a test wait for the next ones. */
export class EventLog {
  readonly events: MotionEvent[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  readonly listener = (event: MotionEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (this.events.length < w.count) return true;
      w.resolve();
      return false;
    });
  };

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  /** Resolves once `count` events have arrived in all. */
  until(count: number): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

/**
 * Timers the test fires by hand, by what they are for: the driver's restart, stable and stop
 * timers are told apart by their delays.
 */
export class HandTimers {
  readonly pending: Array<{ id: number; ms: number; callback: () => void }> = [];
  private next = 1;
  private waiters: Array<{ ms: number; resolve: () => void }> = [];

  setTimeout(callback: () => void, ms: number): unknown {
    const t = { id: this.next++, ms, callback };
    this.pending.push(t);
    this.waiters = this.waiters.filter((w) => {
      if (w.ms !== ms) return true;
      w.resolve();
      return false;
    });
    return t.id;
  }

  clearTimeout(handle: unknown): void {
    const i = this.pending.findIndex((t) => t.id === handle);
    if (i >= 0) this.pending.splice(i, 1);
  }

  has(ms: number): boolean {
    return this.pending.some((t) => t.ms === ms);
  }

  /** Resolves once a timer of `ms` is pending. */
  async scheduled(ms: number): Promise<void> {
    if (this.has(ms)) return;
    await new Promise<void>((resolve) => this.waiters.push({ ms, resolve }));
  }

  /** Fires the (first) pending timer of `ms`. */
  fire(ms: number): void {
    const i = this.pending.findIndex((t) => t.ms === ms);
    assert.ok(i >= 0, `no ${ms} ms timer is pending (pending: ${this.pending.map((t) => t.ms).join(", ")})`);
    const [t] = this.pending.splice(i, 1);
    t?.callback();
  }
}
