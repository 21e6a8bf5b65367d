/**
 * A fake of what the kernel exposes for IIO devices: a temp directory laid out like sysfs
 * (real directories, files and relative symlinks, with the kernel's file names and value
 * formats), plus the errno behaviour a regular file cannot show (EIO, ETIMEDOUT, EAGAIN from a
 * read; EACCES from an open, even when the tests run as root) through `fs`, a SysfsReader that
 * reads the tree and fails where a test said so, with errors shaped like Node's own.
 *
 *   ROOT/sys/bus/iio/devices/iio:deviceN -> ../../../devices/platform/dht11@4/iio:deviceN
 *   ROOT/sys/devices/platform/dht11@4/iio:deviceN/{name, in_temp_input, in_humidityrelative_input,
 *                                                 uevent, of_node -> .../devicetree/base/dht11@4}
 *   ROOT/sys/firmware/devicetree/base/dht11@4/{name, compatible, gpios (<phandle line flags>), status}
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { getSystemErrorMap } from "node:util";
import type { SysfsReader } from "../../hardware/climate/dht22-iio.ts";

export type Errno = "EIO" | "ETIMEDOUT" | "EAGAIN" | "EBUSY" | "EACCES" | "EPERM" | "ENOENT" | "ENODEV";

const ERRNO: Record<Errno, number> = {
  EIO: -5,
  ETIMEDOUT: -110,
  EAGAIN: -11,
  EBUSY: -16,
  EACCES: -13,
  EPERM: -1,
  ENOENT: -2,
  ENODEV: -19,
};

/** An error as node:fs/promises raises it for `syscall` on `path`. */
export function fsError(code: Errno, syscall: "open" | "read" | "scandir", path: string): NodeJS.ErrnoException {
  const errno = ERRNO[code];
  const description = getSystemErrorMap().get(errno)?.[1] ?? code;
  const where = syscall === "read" ? "read" : `${syscall} '${path}'`;
  const e: NodeJS.ErrnoException = new Error(`${code}: ${description}, ${where}`);
  e.errno = errno;
  e.code = code;
  e.syscall = syscall;
  if (syscall !== "read") e.path = path;
  return e;
}

export interface FakeIioDeviceSpec {
  /** The IIO `name` file (default "dht11@<gpio>", as the kernel names the overlay's device). */
  name?: string;
  /** Device-tree node under /firmware/devicetree/base (default "dht11@<gpio>"). */
  node?: string;
  /** Directory of the parent device under /sys/devices (default "platform/<node>"). */
  parent?: string;
  /** The node's `gpios` line; null: no gpios property (default 4). */
  gpio?: number | null;
  /** The node's compatible strings (default ["dht11"]). */
  compatible?: string[];
  /** in_temp_input in milli-°C, as the kernel prints it (default "23400"); null: no such file. */
  temperature?: string | number | null;
  /** in_humidityrelative_input in milli-%RH (default "45600"); null: no such file. */
  humidity?: string | number | null;
}

export type IioFile = "in_temp_input" | "in_humidityrelative_input" | "name";

export interface FakeIioDevice {
  readonly n: number;
  /** ROOT/sys/bus/iio/devices/iio:deviceN, the path the driver reads. */
  readonly dir: string;
  /** Changes the values the next reads return. */
  set(values: { temperature?: string | number; humidity?: string | number }): Promise<void>;
  /** The next `times` reads of `file` fail with `code` (Infinity: until repair()). */
  fail(file: IioFile, code: Errno, times?: number): void;
  repair(): void;
  /** The next read of `file` never returns until the returned function is called. */
  hang(file: IioFile): () => void;
  /** How many times `file` was read (failed reads included). */
  reads(file: IioFile): number;
  /** The device goes away (driver unbound, module unloaded). */
  remove(): Promise<void>;
}

export interface FakeIioTree {
  /** Pass as `sysfsRoot`. */
  readonly root: string;
  /** Pass as `fs`: reads the tree, with the faults the tests injected. */
  readonly fs: SysfsReader;
  /** Every path read through `fs`, relative to the root. */
  readonly log: string[];
  /** Adds iio:deviceN (N counts up from 0, like the kernel's numbering). */
  addDevice(spec?: FakeIioDeviceSpec): Promise<FakeIioDevice>;
  /** Listing /sys/bus/iio/devices fails with `code` (EACCES: a locked-down system). */
  failListing(code: Errno | undefined): void;
  cleanup(): Promise<void>;
}

interface Fault {
  code: Errno;
  left: number;
}

/**
 * Creates an empty sysfs tree: no IIO devices at all (no /sys/bus/iio/devices either), in a
 * new temp directory or under `opts.root` (a whole fake system; cleanup() removes it too).
 */
export async function createFakeIioTree(opts: { root?: string } = {}): Promise<FakeIioTree> {
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), "seroma-sysfs-")));
  const devicesDir = join(root, "sys/bus/iio/devices");
  const faults = new Map<string, Fault>();
  const hangs = new Map<string, Promise<void>>();
  const counts = new Map<string, number>();
  const log: string[] = [];
  let listingFault: Errno | undefined;
  let next = 0;

  const fs: SysfsReader = {
    async readdir(path) {
      log.push(relative(root, path));
      if (path === devicesDir && listingFault) throw fsError(listingFault, "scandir", path);
      return readdir(path);
    },
    async readFile(path) {
      log.push(relative(root, path));
      counts.set(path, (counts.get(path) ?? 0) + 1);
      const hang = hangs.get(path);
      if (hang) {
        hangs.delete(path);
        await hang;
      }
      const fault = faults.get(path);
      if (fault && fault.left > 0) {
        fault.left--;
        // sysfs opens succeed and the driver's error comes from read(); permissions fail at open()
        throw fsError(fault.code, fault.code === "EACCES" || fault.code === "EPERM" ? "open" : "read", path);
      }
      return readFile(path);
    },
  };

  async function write(path: string, content: string | Buffer): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }

  async function link(from: string, to: string): Promise<void> {
    await mkdir(dirname(from), { recursive: true });
    await symlink(relative(dirname(from), to), from);
  }

  return {
    root,
    fs,
    log,
    failListing(code) {
      listingFault = code;
    },
    async addDevice(spec = {}) {
      const n = next++;
      const gpio = spec.gpio === undefined ? 4 : spec.gpio;
      const node = spec.node ?? `dht11@${gpio ?? 0}`;
      const name = spec.name ?? node;
      const realDir = join(root, "sys/devices", spec.parent ?? `platform/${node}`, `iio:device${n}`);
      const nodeDir = join(root, "sys/firmware/devicetree/base", node);
      const dir = join(devicesDir, `iio:device${n}`);

      await write(join(nodeDir, "name"), `${node.split("@")[0]}\0`);
      await write(join(nodeDir, "compatible"), (spec.compatible ?? ["dht11"]).map((c) => `${c}\0`).join(""));
      await write(join(nodeDir, "status"), "okay\0");
      if (gpio !== null) {
        const cells = Buffer.alloc(12);
        cells.writeUInt32BE(0x10, 0); // phandle of the GPIO controller
        cells.writeUInt32BE(gpio, 4);
        cells.writeUInt32BE(0, 8); // flags: active high
        await write(join(nodeDir, "gpios"), cells);
      }
      await write(join(realDir, "name"), `${name}\n`);
      await write(join(realDir, "uevent"), "DEVTYPE=iio_device\n");
      const temperature = spec.temperature === undefined ? "23400" : spec.temperature;
      const humidity = spec.humidity === undefined ? "45600" : spec.humidity;
      if (temperature !== null) await write(join(realDir, "in_temp_input"), `${temperature}\n`);
      if (humidity !== null) await write(join(realDir, "in_humidityrelative_input"), `${humidity}\n`);
      await link(join(realDir, "of_node"), nodeDir);
      await link(dir, realDir);

      const keys = new Set<string>();
      const key = (file: IioFile) => {
        const k = join(dir, file);
        keys.add(k);
        return k;
      };
      return {
        n,
        dir,
        async set(values) {
          if (values.temperature !== undefined) await write(join(realDir, "in_temp_input"), `${values.temperature}\n`);
          if (values.humidity !== undefined)
            await write(join(realDir, "in_humidityrelative_input"), `${values.humidity}\n`);
        },
        fail(file, code, times = 1) {
          faults.set(key(file), { code, left: times });
        },
        repair() {
          for (const k of keys) faults.delete(k);
        },
        hang(file) {
          let release!: () => void;
          hangs.set(
            key(file),
            new Promise<void>((resolve) => {
              release = resolve;
            }),
          );
          return () => release();
        },
        reads(file) {
          return counts.get(join(dir, file)) ?? 0;
        },
        async remove() {
          await rm(dir);
        },
      };
    },
    async cleanup() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
