/**
 * A fake Raspberry Pi for `npm run doctor` (DOCTOR_ROOT): a temp directory laid out like a
 * Pi's root, with the real file names and formats, plus fake programs to put first on PATH
 * that print what the real tools print.
 *
 *   ROOT/proc/device-tree/model                 "Raspberry Pi 4 Model B Rev 1.5\0"
 *   ROOT/proc/sys/kernel/{osrelease,arch}       "6.6.51+rpt-rpi-v8", "aarch64"
 *   ROOT/etc/os-release                         Debian 12 (bookworm) / 13 (trixie), as Raspberry Pi OS ships it
 *   ROOT/lib/ld-linux-aarch64.so.1              a 64-bit userland
 *   ROOT/boot/firmware/config.txt               Raspberry Pi OS's default file plus the given lines
 *   ROOT/dev/{gpiochipN,gpiomem*,i2c-1,spidev0.N,video0}
 *   ROOT/run/systemd/timesync/synchronized      when the clock is synchronised
 *   ROOT/sys/bus/iio/devices/iio:device0 ...    the kernel's dht11 device (test/support/fake-iio.ts)
 *   ROOT/sys/devices/platform/soc/soc:firmware/get_throttled   (Pi 4 kernels) the throttled bits in hex
 *   BIN/vcgencmd  BIN/timedatectl  BIN/rpicam-still  BIN/i2cget  BIN/id
 *   BIN/gpiomon BIN/gpiodetect BIN/gpioget      libgpiod's tools, v1 (Bookworm) or v2 (Trixie): what the
 *                                               doctor asks of them (--version, the chips, one line read in
 *                                               its generation's syntax), as shell scripts: quick, as the
 *                                               real C tools are (test/support/fake-gpiod-tool.mjs
 *                                               plays the whole tools for the driver's own tests)
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type FakeChip, PI4_CHIPS, PI5_CHIPS } from "./fake-gpiod.ts";
import { createFakeIioTree } from "./fake-iio.ts";

export interface FakePiSpec {
  model: string;
  os: { versionId: "11" | "12" | "13"; codename: string };
  kernel: string;
  /** Lines appended to the default config.txt. */
  configLines: string[];
  /** Device nodes under /dev. */
  devices: string[];
  /** The user `id` prints, and its groups. */
  user: { name: string; uid: number; groups: string[] };
  /** NTPSynchronized as timedatectl says it. */
  ntp: "yes" | "no";
  /** What vcgencmd get_throttled says ("0x0", "0x50000"), or "hang": it never answers. */
  throttled: string;
  /** The kernel's get_throttled file (hex without 0x), when the kernel has it. */
  throttledSysfs?: string;
  /** libgpiod tools' version and chips. */
  gpiod: { version: string; chips: FakeChip[] };
  /** I2C addresses that acknowledge on bus 1. */
  i2cDevices: number[];
  /** rpicam-still --list-cameras's camera line, or undefined: "No cameras available!". */
  camera?: string;
  /** The kernel's dht11 device: on this GPIO with these milli-values; undefined: no overlay loaded. */
  dht?: { gpio: number; temperature: number; humidity: number };
}

const PI_GROUPS = [
  "pi",
  "adm",
  "dialout",
  "cdrom",
  "sudo",
  "audio",
  "video",
  "plugdev",
  "games",
  "users",
  "input",
  "render",
  "netdev",
  "gpio",
  "i2c",
  "spi",
];

export const PI4_BOOKWORM: FakePiSpec = {
  model: "Raspberry Pi 4 Model B Rev 1.5",
  os: { versionId: "12", codename: "bookworm" },
  kernel: "6.6.51+rpt-rpi-v8",
  configLines: ["dtparam=i2c_arm=on", "dtparam=spi=on", "dtoverlay=dht11,gpiopin=4"],
  devices: ["gpiochip0", "gpiochip1", "gpiomem", "i2c-1", "i2c-20", "i2c-21", "spidev0.0", "spidev0.1", "video0"],
  user: { name: "pi", uid: 1000, groups: PI_GROUPS },
  ntp: "yes",
  throttled: "0x0",
  throttledSysfs: "0",
  gpiod: { version: "1.6.3", chips: PI4_CHIPS },
  i2cDevices: [0x27],
  camera: "0 : imx708 [4608x2592 10-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx708@1a)",
  dht: { gpio: 4, temperature: 23400, humidity: 45600 },
};

export const PI5_TRIXIE: FakePiSpec = {
  model: "Raspberry Pi 5 Model B Rev 1.0",
  os: { versionId: "13", codename: "trixie" },
  kernel: "6.12.34+rpt-rpi-2712",
  configLines: ["dtparam=i2c_arm=on", "dtparam=spi=on", "dtoverlay=dht11,gpiopin=4"],
  devices: [
    "gpiochip0",
    "gpiochip10",
    "gpiochip11",
    "gpiochip12",
    "gpiochip13",
    "gpiomem0",
    "gpiomem1",
    "gpiomem2",
    "gpiomem3",
    "gpiomem4",
    "i2c-1",
    "spidev0.0",
    "spidev0.1",
    "video0",
  ],
  user: { name: "pi", uid: 1000, groups: PI_GROUPS },
  ntp: "yes",
  throttled: "0x0",
  gpiod: { version: "2.2.1", chips: PI5_CHIPS },
  i2cDevices: [0x27],
  camera: "0 : imx708 [4608x2592 10-bit RGGB] (/base/axi/pcie@1000120000/rp1/i2c@88000/imx708@1a)",
  dht: { gpio: 4, temperature: 22100, humidity: 51200 },
};

/** Raspberry Pi OS Bookworm's /boot/firmware/config.txt as it comes (shortened comments). */
const DEFAULT_CONFIG_TXT = `# For more options and information see
# http://rptl.io/configtxt
# Some settings may impact device functionality. See link above for details

# Uncomment some or all of these to enable the optional hardware interfaces
#dtparam=i2c_arm=on
#dtparam=i2s=on
#dtparam=spi=on

# Enable audio (loads snd_bcm2835)
dtparam=audio=on

# Automatically load overlays for detected cameras
camera_auto_detect=1

# Automatically load overlays for detected DSI displays
display_auto_detect=1

# Automatically load initramfs files, if found
auto_initramfs=1

# Enable DRM VC4 V3D driver
dtoverlay=vc4-kms-v3d
max_framebuffers=2

# Don't have the firmware create an initial video= setting in cmdline.txt.
# Use the kernel's default instead.
disable_fw_kms_setup=1

# Run in 64-bit mode
arm_64bit=1

# Disable compensation for displays with overscan
disable_overscan=1

# Run as fast as firmware / board allows
arm_boost=1

[cm4]
# Enable host mode on the 2711 built-in XHCI USB controller.
# This line should be removed if the legacy DWC2 controller is required
# (e.g. for USB device mode) or if USB support is not required.
otg_mode=1

[cm5]
dtoverlay=dwc2,dr_mode=host

[all]
`;

export interface FakePi {
  readonly root: string;
  /** Where the fake programs are. */
  readonly bin: string;
  /** A folder for the test's own files (DATA_DIR, .env). */
  readonly work: string;
  /** PATH with the fake programs first, and what they need. */
  env(): Record<string, string>;
  /** Where the hanging vcgencmd writes its pid. */
  readonly hangPidFile: string;
  cleanup(): void;
}

function write(path: string, content: string | Buffer, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  if (mode !== undefined) chmodSync(path, mode);
}

function script(bin: string, name: string, body: string): void {
  write(join(bin, name), `#!/bin/sh\n${body}\n`, 0o755);
}

/**
 * gpiomon --version, gpiodetect and gpioget as libgpiod's tools print them (tools/*.c of 1.6
 * and 2.x); gpioget takes only its generation's syntax (v1 `gpioget CHIP OFFSET`, v2
 * `gpioget --numeric --chip CHIP OFFSET`) and reads 0 on the header's chip.
 */
function fakeGpiodTools(bin: string, gpiod: FakePiSpec["gpiod"]): void {
  const v2 = Number(gpiod.version.split(".")[0]) >= 2;
  const header = gpiod.chips.find((c) => c.header);
  script(
    bin,
    "gpiomon",
    `case "$1" in --version|-v) printf 'gpiomon (libgpiod) v${gpiod.version}\nCopyright (C) 2017-2023 Bartosz Golaszewski\nLicense: GPL-2.0-or-later\n'; exit 0;; esac\n` +
      'echo "gpiomon: this fake only answers --version" >&2; exit 1',
  );
  script(bin, "gpiodetect", gpiod.chips.map((c) => `echo '${c.name} [${c.label}] (${c.lines} lines)'`).join("\n"));
  const syntax = v2
    ? `[ "$1" = --numeric ] && [ "$2" = --chip ] && [ "$3" = '${header?.name}' ] && [ -n "$4" ] && [ "$4" -lt ${header?.lines ?? 0} ]`
    : `[ "$1" = '${header?.name}' ] && [ -n "$2" ] && [ "$2" -lt ${header?.lines ?? 0} ] && [ $# -eq 2 ]`;
  script(bin, "gpioget", `if ${syntax}; then echo 0; exit 0; fi\necho "gpioget: invalid arguments: $*" >&2; exit 1`);
}

export async function createFakePi(spec: FakePiSpec): Promise<FakePi> {
  const base = mkdtempSync(join(tmpdir(), "seroma-fakepi-"));
  const root = join(base, "root");
  const bin = join(base, "bin");
  const work = join(base, "work");
  const hangPidFile = join(base, "vcgencmd.pid");
  for (const d of [root, bin, work]) mkdirSync(d, { recursive: true });

  write(join(root, "proc/device-tree/model"), `${spec.model}\0`);
  write(join(root, "proc/sys/kernel/osrelease"), `${spec.kernel}\n`);
  write(join(root, "proc/sys/kernel/arch"), "aarch64\n");
  write(join(root, "lib/ld-linux-aarch64.so.1"), "");
  const name = spec.os.versionId === "13" ? "trixie" : spec.os.versionId === "12" ? "bookworm" : "bullseye";
  write(
    join(root, "etc/os-release"),
    `PRETTY_NAME="Debian GNU/Linux ${spec.os.versionId} (${name})"\nNAME="Debian GNU/Linux"\n` +
      `VERSION_ID="${spec.os.versionId}"\nVERSION="${spec.os.versionId} (${name})"\nVERSION_CODENAME=${spec.os.codename}\n` +
      'ID=debian\nHOME_URL="https://www.debian.org/"\nSUPPORT_URL="https://www.debian.org/support"\n' +
      'BUG_REPORT_URL="https://bugs.debian.org/"\n',
  );
  write(join(root, "boot/firmware/config.txt"), `${DEFAULT_CONFIG_TXT}${spec.configLines.join("\n")}\n`);
  write(
    join(root, "boot/config.txt"),
    "DO NOT EDIT THIS FILE\n\nThe file you are looking for has moved to /boot/firmware/config.txt\n",
  );
  for (const device of spec.devices) write(join(root, "dev", device), "");
  if (spec.ntp === "yes") write(join(root, "run/systemd/timesync/synchronized"), "");
  if (spec.throttledSysfs !== undefined) {
    write(join(root, "sys/devices/platform/soc/soc:firmware/get_throttled"), `${spec.throttledSysfs}\n`);
  }
  if (spec.dht) {
    const tree = await createFakeIioTree({ root });
    await tree.addDevice({
      gpio: spec.dht.gpio,
      temperature: spec.dht.temperature,
      humidity: spec.dht.humidity,
    });
  }

  // --- programs -------------------------------------------------------------------------
  const groups = spec.user.groups.map((g, i) => `${i === 0 ? spec.user.uid : 900 + i}(${g})`).join(",");
  script(
    bin,
    "id",
    `echo 'uid=${spec.user.uid}(${spec.user.name}) gid=${spec.user.uid}(${spec.user.name}) groups=${groups}'`,
  );
  script(
    bin,
    "timedatectl",
    `if [ "$1" = show ] && [ "$2" = -p ] && [ "$3" = NTPSynchronized ]; then echo NTPSynchronized=${spec.ntp}; exit 0; fi\n` +
      'echo "Unknown command verb $1." >&2; exit 1',
  );
  script(
    bin,
    "vcgencmd",
    spec.throttled === "hang"
      ? `echo $$ > '${hangPidFile}'\nexec sleep 600`
      : `if [ "$1" = get_throttled ]; then echo throttled=${spec.throttled}; exit 0; fi\necho 'error=2 error_msg="Invalid arguments"'; exit 255`,
  );
  script(
    bin,
    "rpicam-still",
    spec.camera
      ? `if [ "$1" = --list-cameras ]; then printf 'Available cameras\\n-----------------\\n${spec.camera}\\n    Modes: '"'"'SRGGB10_CSI2P'"'"' : 1536x864 [120.13 fps - (768, 432)/3072x1728 crop]\\n'; exit 0; fi\nexit 1`
      : `if [ "$1" = --list-cameras ]; then echo 'No cameras available!'; exit 0; fi\nexit 1`,
  );
  const acks = spec.i2cDevices.map((a) => `0x${a.toString(16)}`).join(" ");
  script(
    bin,
    "i2cget",
    [
      'if [ "$1" != -y ]; then echo "Continue? [Y/n] Aborting on user request." >&2; exit 0; fi',
      `if [ ! -e '${root}/dev/i2c-'"$2" ]; then echo "Error: Could not open file \\\`/dev/i2c-$2' or \\\`/dev/i2c/$2': No such file or directory" >&2; exit 1; fi`,
      `for a in ${acks}; do if [ "$a" = "$3" ]; then echo 0xf8; exit 0; fi; done`,
      'echo "Error: Read failed" >&2; exit 2',
    ].join("\n"),
  );
  fakeGpiodTools(bin, spec.gpiod);

  return {
    root,
    bin,
    work,
    hangPidFile,
    // The fake tools first, then the Node running the tests (npm run must pick the same Node), then the system.
    env: () => ({ PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, DOCTOR_ROOT: root }),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
