/**
 * A fake of raspberrypi-liquid-crystal's LCD class (the device boundary of the HD44780
 * driver) over a model of the panel: one DDRAM shared by every instance, as one physical
 * LCD is shared by every reopen. setCursor() computes DDRAM addresses exactly as the
 * library does (0x00, 0x40, 0x14, 0x54 row starts), and screen() reads the rows the way the
 * panel of the given size displays them, so a wrong cursor shows up as a wrong screen.
 */
import type { LcdConstructor, LcdDevice } from "../../../hardware/display/hd44780.ts";

export type LcdOp = "begin" | "clear" | "setCursor" | "print" | "noDisplay" | "close";

export interface LcdCall {
  instance: number;
  op: LcdOp;
  args: unknown[];
}

/** An error shaped like the ones i2c-bus produces (fs errors and native ErrnoExceptions). */
export function i2cError(code: "ENOENT" | "EACCES" | "EREMOTEIO" | "ENXIO" | "EBUSY", bus = 1): Error {
  switch (code) {
    case "ENOENT":
      return Object.assign(new Error(`ENOENT: no such file or directory, open '/dev/i2c-${bus}'`), {
        code,
        errno: -2,
        syscall: "open",
        path: `/dev/i2c-${bus}`,
      });
    case "EACCES":
      return Object.assign(new Error(`EACCES: permission denied, open '/dev/i2c-${bus}'`), {
        code,
        errno: -13,
        syscall: "open",
        path: `/dev/i2c-${bus}`,
      });
    case "EREMOTEIO":
      return Object.assign(new Error("EREMOTEIO, Remote I/O error"), { code, errno: 121, syscall: "sendByte" });
    case "ENXIO":
      return Object.assign(new Error("ENXIO, No such device or address"), { code, errno: 6, syscall: "sendByte" });
    case "EBUSY":
      return Object.assign(new Error("EBUSY, Device or resource busy"), { code, errno: 16, syscall: "setAddr" });
  }
}

const LIBRARY_ROW_STARTS = [0x00, 0x40, 0x14, 0x54];

export class FakeLcdPanel {
  readonly calls: LcdCall[] = [];
  /** Constructor arguments of every instance, in order. */
  readonly created: Array<[bus: number, address: number, cols: number, rows: number]> = [];
  backlight = false;
  private ddram: string[] = new Array(0x80).fill(" ");
  private ac = 0;
  private failures: Array<{ op: LcdOp; error: unknown }> = [];
  private gates: Array<{ op: LcdOp; reached: () => void; release: Promise<void> }> = [];

  /** The next call of `op` (on any instance) rejects with `error`. */
  failNext(op: LcdOp, error: unknown): void {
    this.failures.push({ op, error });
  }

  /**
   * The next call of `op` waits until `release()`; `reached` resolves when it starts waiting.
   * Never releasing it models a hung bus.
   */
  hold(op: LcdOp): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const reachedP = new Promise<void>((r) => {
      reached = r;
    });
    const releaseP = new Promise<void>((r) => {
      release = r;
    });
    this.gates.push({ op, reached, release: releaseP });
    return { reached: reachedP, release };
  }

  /** The calls made since the last reset, as compact strings: "setCursor 3,1", "print ab". */
  ops(): string[] {
    return this.calls.map((c) => `${c.op}${c.args.length ? ` ${c.args.join(",")}` : ""}`);
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  /** What a panel of this size displays. */
  screen(cols: number, rows: number): string[] {
    const starts = cols === 16 && rows === 4 ? [0x00, 0x40, 0x10, 0x50] : LIBRARY_ROW_STARTS;
    return starts.slice(0, rows).map((s) => this.ddram.slice(s, s + cols).join(""));
  }

  /** The class to inject as `loadLibrary: async () => panel.library()`. */
  library(): LcdConstructor {
    const panel = this;
    return class FakeLcd implements LcdDevice {
      private readonly id: number;
      private began = false;
      constructor(bus: number, address: number, cols: number, rows: number) {
        panel.created.push([bus, address, cols, rows]);
        this.id = panel.created.length;
      }
      private async step(op: LcdOp, args: unknown[]): Promise<void> {
        panel.calls.push({ instance: this.id, op, args });
        const gate = panel.gates.findIndex((g) => g.op === op);
        if (gate >= 0) {
          const [g] = panel.gates.splice(gate, 1);
          g?.reached();
          await g?.release;
        }
        const failure = panel.failures.findIndex((f) => f.op === op);
        if (failure >= 0) {
          const [f] = panel.failures.splice(failure, 1);
          throw f?.error;
        }
      }
      async begin(): Promise<void> {
        if (this.began) throw new Error("The LCD is already initialized! You called begin() twice!");
        await this.step("begin", []);
        panel.ddram.fill(" ");
        // As the library does: its last init step writes the byte 0x08 as a character
        // (meant as "backlight on"), leaving CGRAM character 0 in the top-left cell.
        panel.ddram[0] = "\x08";
        panel.ac = 1;
        panel.backlight = true;
        this.began = true;
      }
      async clear(): Promise<void> {
        await this.step("clear", []);
        panel.ddram.fill(" ");
        panel.ac = 0;
      }
      async setCursor(col: number, row: number): Promise<void> {
        await this.step("setCursor", [col, row]);
        panel.ac = ((LIBRARY_ROW_STARTS[row] ?? 0) + col) & 0x7f;
      }
      async print(text: string): Promise<void> {
        await this.step("print", [text]);
        for (const ch of text) {
          panel.ddram[panel.ac] = String.fromCharCode(ch.charCodeAt(0) & 0xff);
          panel.ac = (panel.ac + 1) & 0x7f;
        }
      }
      async noDisplay(): Promise<void> {
        await this.step("noDisplay", []);
        panel.backlight = false;
      }
      async close(): Promise<void> {
        await this.step("close", []);
        this.began = false;
      }
    };
  }
}
