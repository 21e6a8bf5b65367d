/**
 * An I2C bus for the LCD probe made of i2c-tools' `i2cget` (package i2c-tools): the doctor's
 * way to ask "does anything acknowledge at this address?" where i2c-bus cannot be used (not
 * installed or not built, or a DOCTOR_ROOT tree whose /dev a native library cannot see).
 * `i2cget -y BUS ADDR` is a plain one-byte read, the same transfer probeHd44780 makes: it
 * prints the byte ("0xf8") on success. Its complaints, from i2c-tools' i2cbusses.c and
 * i2cget.c, become the errno codes describeI2cError explains:
 *   "Could not open file `/dev/i2c-1' ...: No such file or directory"  ENOENT
 *   "...: Permission denied"                                          EACCES
 *   "Could not set address to 0x27: Device or resource busy"          EBUSY
 *   "Read failed"                                                     EREMOTEIO (no acknowledge)
 * Only reads: writing to the LCD is the console's business.
 */
import type { I2cBus, I2cBusOpener } from "../hardware/display/index.ts";
import type { ProgramResult } from "./programs.ts";

type Run = (command: string, args: readonly string[]) => Promise<ProgramResult>;

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

function failure(stderr: string): NodeJS.ErrnoException {
  const said = stderr.trim().split("\n")[0] ?? "";
  if (/No such file or directory/i.test(stderr)) return errno("ENOENT", said);
  if (/Permission denied|Operation not permitted/i.test(stderr)) return errno("EACCES", said);
  if (/Device or resource busy/i.test(stderr)) return errno("EBUSY", said);
  if (/Read failed/i.test(stderr)) return errno("EREMOTEIO", "remote I/O error (i2cget: Read failed)");
  return new Error(`i2cget: ${said || "failed"}`);
}

export function i2cgetOpener(run: Run): I2cBusOpener {
  return async (busNumber) => {
    const bus: I2cBus = {
      async i2cRead(address, length, buffer) {
        const r = await run("i2cget", ["-y", String(busNumber), `0x${address.toString(16)}`]);
        if (!r.found) throw new Error("i2cget is not installed (`sudo apt install i2c-tools`)");
        const byte = /^0x([0-9a-f]{2})\s*$/i.exec(r.stdout.trim())?.[1];
        if (r.code !== 0 || byte === undefined) throw failure(r.stderr || r.stdout);
        buffer[0] = Number.parseInt(byte, 16);
        return { bytesRead: Math.min(1, length) };
      },
      async i2cWrite() {
        throw new Error("the i2cget bus only reads");
      },
      async close() {},
    };
    return bus;
  };
}
