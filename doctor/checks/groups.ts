/**
 * Groups and device permissions of the user running the doctor (run it as the user that runs
 * the console): gpio (/dev/gpiochip*, /dev/gpiomem*), i2c (the LCD's /dev/i2c-N), spi (the
 * card reader's /dev/spidev0.N) and video (the camera). A device that exists but does not
 * open for reading and writing is a fail; not being in a group is a warning (the service may
 * get it from its unit's SupplementaryGroups, or the device may appear after a reboot).
 */
import { constants } from "node:fs";
import { access, readdir } from "node:fs/promises";
import { type Check, fail, ok, skip, warn } from "../check.ts";
import type { DoctorContext } from "../context.ts";
import { NO_CONFIG } from "./configuration.ts";

interface GroupFinding {
  group: string;
  member: boolean;
  present: string[];
  denied: string[];
}

async function devicesFor(ctx: DoctorContext, group: string): Promise<string[]> {
  if (!ctx.config.ok) return [];
  const c = ctx.config.config;
  let names: string[] = [];
  try {
    names = await readdir(ctx.at("/dev"));
  } catch {
    // no /dev under this root
  }
  const listed = (re: RegExp) =>
    names
      .filter((n) => re.test(n))
      .sort()
      .map((n) => `/dev/${n}`);
  switch (group) {
    case "gpio":
      return listed(/^(gpiochip\d+|gpiomem\d*)$/);
    case "i2c":
      return names.includes(`i2c-${c.lcd.i2cBus}`) ? [`/dev/i2c-${c.lcd.i2cBus}`] : [];
    case "spi":
      return names.includes(`spidev0.${c.door.spiChip}`) ? [`/dev/spidev0.${c.door.spiChip}`] : [];
    default: {
      const device = c.camera.device;
      return (await exists(ctx.at(device))) ? [device] : [];
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export const GROUPS = ["gpio", "i2c", "spi", "video"] as const;

/** "/dev/gpiochip0, /dev/gpiochip10, /dev/gpiochip11 and 7 more" */
function shortList(items: string[]): string {
  return items.length <= 4 ? items.join(", ") : `${items.slice(0, 3).join(", ")} and ${items.length - 3} more`;
}

export const groupsCheck: Check = {
  id: "groups",
  title: "Groups and devices",
  manual: "id; ls -l /dev/gpiochip* /dev/i2c-* /dev/spidev* /dev/video*",
  async run(ctx) {
    if (!ctx.config.ok) return skip(NO_CONFIG);
    if (ctx.config.config.hardware === "sim") return skip("HARDWARE=sim: the devices are simulated");
    if (!(await ctx.board()).isPi) return skip("not a Raspberry Pi: no GPIO, I2C or SPI devices to open");
    const user = await ctx.user();
    if (!user) {
      return warn(
        "cannot tell this user's groups (`id` failed)",
        "run `id` and check it lists gpio, i2c, spi and video",
      );
    }
    if (user.uid === 0) {
      return skip(
        "running as root: every device opens; run the doctor as the user that runs the console (`sudo -u seroma npm run doctor`)",
      );
    }
    const findings: GroupFinding[] = await Promise.all(
      GROUPS.map(async (group) => {
        const present = await devicesFor(ctx, group);
        const denied: string[] = [];
        for (const device of present) {
          try {
            await access(ctx.at(device), constants.R_OK | constants.W_OK);
          } catch {
            denied.push(device);
          }
        }
        return { group, member: user.groups.includes(group), present, denied };
      }),
    );
    const missing = findings.filter((f) => !f.member).map((f) => f.group);
    const denied = findings.flatMap((f) => f.denied);
    const devices = findings.flatMap((f) => f.present);
    const fix = `\`sudo usermod -aG ${(missing.length ? missing : GROUPS).join(",")} ${user.name}\`, then log out and in again (or restart the service)`;
    if (denied.length > 0) {
      return fail(
        `user ${user.name} cannot open ${shortList(denied)} for reading and writing` +
          (missing.length ? ` (not in the ${missing.join(", ")} group${missing.length > 1 ? "s" : ""})` : ""),
        missing.length
          ? fix
          : `\`ls -l ${denied.join(" ")}\`: on Raspberry Pi OS they belong to root and the device's group with mode 660 (udev rules from raspberrypi-sys-mods); \`sudo udevadm trigger\` restores them`,
      );
    }
    if (missing.length > 0) {
      const which = missing.map((g) => {
        const f = findings.find((x) => x.group === g);
        return f?.present.length ? `${g} (${shortList(f.present)})` : g;
      });
      return warn(`user ${user.name} is not in the ${which.join(", ")} group${missing.length > 1 ? "s" : ""}`, fix);
    }
    return ok(
      `user ${user.name} is in ${GROUPS.join(", ")}; ${devices.length ? `${shortList(devices)} open for reading and writing` : "no devices yet"}`,
    );
  },
};
