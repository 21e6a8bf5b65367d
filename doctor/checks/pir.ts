/**
 * The PIR motion sensor on MOTION_PIR_PIN, as the pir-gpiod driver starts it
 * (probePirGpiod): libgpiod's tools and their version, the header's chip by label, the line
 * read once with gpioget. Not configured (no MOTION_PIR_PIN): motion comes from frame
 * differences on a real camera, nothing to check here.
 */
import { type Check, fail, ok, skip, warn } from "../check.ts";
import { NO_CONFIG } from "./configuration.ts";

function hintFor(reason: string, pin: number): string {
  if (/not installed|was not found/.test(reason)) return "`sudo apt install gpiod`";
  if (/permission denied|Permission denied|gpio group/i.test(reason)) {
    return "`sudo usermod -aG gpio $USER`, then log out and in again";
  }
  if (/busy|holds the line/i.test(reason))
    return "`gpioinfo` shows which program holds the line: stop it, or wire the PIR to a free pin";
  if (/no Raspberry Pi GPIO chip|no GPIO chip/.test(reason))
    return "set MOTION_PIR_CHIP to the 40-pin header's chip (`gpiodetect` lists them)";
  return `\`gpioinfo\` lists the lines and who holds them; \`gpioget\` reads GPIO ${pin} by hand`;
}

export const pirCheck: Check = {
  id: "pir",
  title: "Motion sensor (PIR)",
  manual: "gpiodetect; gpioinfo",
  async run(ctx) {
    if (!ctx.config.ok) return skip(NO_CONFIG);
    const { hardware, motion } = ctx.config.config;
    if (hardware === "sim") return skip("HARDWARE=sim: motion is simulated");
    if (motion.pirPin === undefined) {
      return skip("no MOTION_PIR_PIN: motion is seen by frame difference on a real camera");
    }
    if (!(await ctx.board()).isPi) return skip("not a Raspberry Pi: no GPIO for a PIR (HARDWARE=auto simulates it)");
    const { probePirGpiod } = await import("../../hardware/motion/index.ts");
    const probe = await probePirGpiod(motion.pirPin, { chip: motion.pirChip, env: ctx.env });
    if (probe.available) {
      return ok(
        `GPIO ${probe.line} on ${probe.chip}${probe.chipLabel ? ` [${probe.chipLabel}]` : ""} reads ${probe.level} ` +
          `(gpiomon ${probe.version}; ${probe.level ? "motion now" : "no motion now"})`,
      );
    }
    const hint = hintFor(probe.reason, motion.pirPin);
    if (!ctx.fakeRoot) {
      // the console's fallback where the kernel still has sysfs GPIO: onoff (it exports the pin and releases it)
      const { probePir, sysfsGpioPresent } = await import("../../hardware/motion/index.ts");
      if (await sysfsGpioPresent()) {
        const sysfs = await probePir(motion.pirPin);
        if (sysfs.available) {
          return warn(
            `libgpiod's tools cannot watch the PIR (${probe.reason}); the console uses sysfs GPIO ${sysfs.sysfsGpio} through onoff instead, which newer kernels drop`,
            hint,
          );
        }
      }
    }
    if (hardware === "real") return fail(`${probe.reason} (HARDWARE=real: the console will not start)`, hint);
    return warn(
      `${probe.reason} (HARDWARE=auto: motion falls back to frame difference on a real camera, else the simulator)`,
      hint,
    );
  },
};
