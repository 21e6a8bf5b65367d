/**
 * The real SPI transport for the MFRC522: the kernel's spidev device (/dev/spidev0.0 for
 * SPI0 CE0) through spi-device, an optionalDependency loaded with dynamic `import()` only
 * when a reader is opened, so the project installs and runs where it cannot build. The
 * kernel's SPI driver works the same on every Raspberry Pi, the Pi 5 (RP1) included.
 *
 * Facts about spi-device 3.1.2 used here (its README, spi-device.d.ts, src/open.cc and
 * src/transfer.cc):
 * - CommonJS; the ESM import exposes module.exports as `default`. Without its native addon
 *   built, loading it throws "Could not locate the bindings file".
 * - open(bus, device, options, cb) opens "/dev/spidev<bus>.<device>" (numbers, not a path:
 *   a udev symlink is resolved here first) and applies options (mode, maxSpeedHz); the
 *   callback gets an errno Error (code "ENOENT", syscall "open", message "ENOENT, No such
 *   file or directory").
 * - transfer([{ sendBuffer, receiveBuffer, byteLength, speedHz }], cb) is one
 *   SPI_IOC_MESSAGE ioctl, chip select held for the whole transfer, run on libuv's thread
 *   pool; close(cb) releases the file descriptor.
 * MFRC522: SPI mode 0, MSB first, up to 10 MHz; 1 MHz leaves margin for long jumper wires.
 */
import { constants as fsConstants } from "node:fs";
import { access, realpath } from "node:fs/promises";
import { basename } from "node:path";
import { codeOf, messageOf } from "../errors.ts";
import { describeNativeLoadError, type NativePackage, nativeInstallHint } from "../native.ts";
import type { SpiTransport } from "./mfrc522-chip.ts";

/** The part of spi-device's API used here. */
export interface SpiDeviceLibrary {
  open(
    bus: number,
    device: number,
    options: { mode?: number; maxSpeedHz?: number },
    callback: (err: Error | null | undefined) => void,
  ): SpiDeviceHandle;
}

export interface SpiDeviceHandle {
  transfer(
    message: { sendBuffer: Buffer; receiveBuffer: Buffer; byteLength: number; speedHz?: number }[],
    callback: (err: Error | null | undefined, message: { receiveBuffer: Buffer }[]) => void,
  ): unknown;
  close(callback: (err: Error | null | undefined) => void): unknown;
}

export const SPIDEV_DEFAULTS = {
  /** SPI0, chip select CE0 (header pin 24). */
  device: "/dev/spidev0.0",
  speedHz: 1_000_000,
} as const;

export const SPI_ON_HINT =
  "Turn SPI on: add `dtparam=spi=on` to /boot/firmware/config.txt (/boot/config.txt before Bookworm) " +
  "or use `sudo raspi-config` (Interface Options > SPI), then reboot; `ls /dev/spidev*` must list it.";

export const SPI_GROUP_HINT =
  "Let the user that runs the console use it: `sudo usermod -aG spi $USER`, then log in again (or restart the service).";

const SPI_DEVICE: NativePackage = {
  name: "spi-device",
  installHint: nativeInstallHint({ compiles: "spi-device" }),
};

const SIM_HINT = "Or set HARDWARE=sim to use the simulated reader.";

/** The spidev device could not be opened: `problem` says why, `fix` what to do; the message says both. */
export class SpiUnavailableError extends Error {
  override readonly name = "SpiUnavailableError";
  readonly problem: string;
  readonly fix: string;
  constructor(problem: string, fix: string, options?: ErrorOptions) {
    super(`${problem}. ${fix} ${SIM_HINT}`, options);
    this.problem = problem;
    this.fix = fix;
  }
}

/** "/dev/spidev0.1" -> { bus: 0, device: 1 }; undefined when the name is not spidevB.D. */
export function spidevNumbers(path: string): { bus: number; device: number } | undefined {
  const m = /^spidev(\d{1,3})\.(\d{1,3})$/.exec(basename(path));
  return m ? { bus: Number(m[1]), device: Number(m[2]) } : undefined;
}

/** Imports spi-device (the default `loadLibrary`). */
export async function loadSpiDeviceLibrary(): Promise<SpiDeviceLibrary> {
  const mod = (await import("spi-device")) as unknown as {
    default?: Partial<SpiDeviceLibrary>;
  } & Partial<SpiDeviceLibrary>;
  const lib = typeof mod.open === "function" ? mod : mod.default;
  if (typeof lib?.open !== "function") throw new Error("spi-device does not export open()");
  return lib as SpiDeviceLibrary;
}

function libraryError(e: unknown): SpiUnavailableError {
  const { problem, fix } = describeNativeLoadError(SPI_DEVICE, e);
  return new SpiUnavailableError(problem, fix, { cause: e });
}

/** Why `path` cannot be opened, from an errno code: the fix for the usual ones. */
function openError(path: string, e: unknown): SpiUnavailableError {
  const code = codeOf(e);
  if (code === "ENOENT" || code === "ENODEV" || code === "ENXIO") {
    return new SpiUnavailableError(`${path} does not exist (${code}): SPI is off`, SPI_ON_HINT, { cause: e });
  }
  if (code === "EACCES" || code === "EPERM") {
    return new SpiUnavailableError(`no permission to open ${path} (${code})`, SPI_GROUP_HINT, { cause: e });
  }
  if (code === "EBUSY") {
    return new SpiUnavailableError(`${path} is busy (EBUSY)`, "Another program holds it: stop it.", { cause: e });
  }
  return new SpiUnavailableError(`cannot open ${path} (${code ?? messageOf(e)})`, SPI_ON_HINT, { cause: e });
}

export interface SpidevTransportOptions {
  /** SPI clock (default 1 MHz). */
  speedHz?: number;
  /** Loads spi-device; injectable for tests (default: `loadSpiDeviceLibrary`). */
  loadLibrary?: () => Promise<SpiDeviceLibrary>;
}

/**
 * Opens `path` (a spidev device, or a symlink to one) in SPI mode 0 at `speedHz`. Rejects
 * with a SpiUnavailableError that says what to do: install or rebuild spi-device, turn SPI
 * on (`dtparam=spi=on`), join the `spi` group.
 */
export async function openSpidevTransport(
  path: string = SPIDEV_DEFAULTS.device,
  opts: SpidevTransportOptions = {},
): Promise<SpiTransport> {
  const speedHz = opts.speedHz ?? SPIDEV_DEFAULTS.speedHz;
  if (!Number.isInteger(speedHz) || speedHz < 10_000 || speedHz > 10_000_000) {
    throw new RangeError(`speedHz must be an integer within 10 kHz..10 MHz (the MFRC522's limit), got ${speedHz}`);
  }
  let lib: SpiDeviceLibrary;
  try {
    lib = await (opts.loadLibrary ?? loadSpiDeviceLibrary)();
  } catch (e) {
    throw libraryError(e);
  }
  let real: string;
  try {
    real = await realpath(path);
    await access(real, fsConstants.R_OK | fsConstants.W_OK);
  } catch (e) {
    throw openError(path, e);
  }
  const numbers = spidevNumbers(real);
  if (!numbers) {
    throw new SpiUnavailableError(
      `${path} is not a spidev device`,
      "Name one such as /dev/spidev0.0 (SPI0, CE0) or /dev/spidev0.1 (CE1).",
    );
  }
  const handle = await new Promise<SpiDeviceHandle>((resolve, reject) => {
    let device: SpiDeviceHandle | undefined;
    const opened = (err: Error | null | undefined) => {
      // spi-device calls back from its worker; a test double may call back before open() returned
      queueMicrotask(() => {
        if (err) reject(openError(path, err));
        else if (device) resolve(device);
        else reject(openError(path, new Error("spi-device's open() returned no device")));
      });
    };
    try {
      device = lib.open(numbers.bus, numbers.device, { mode: 0, maxSpeedHz: speedHz }, opened);
    } catch (e) {
      reject(openError(path, e));
    }
  });
  let closed = false;
  return {
    transfer(data) {
      if (closed) return Promise.reject(new Error(`${path} is closed`));
      const send = Buffer.from(data);
      const message = [
        { sendBuffer: send, receiveBuffer: Buffer.alloc(send.length), byteLength: send.length, speedHz },
      ];
      return new Promise<Uint8Array>((resolve, reject) => {
        handle.transfer(message, (err, done) => {
          if (err) reject(err);
          else resolve(new Uint8Array(done[0]?.receiveBuffer ?? Buffer.alloc(0)));
        });
      });
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        handle.close(() => resolve());
      });
    },
  };
}
