/**
 * The LCD: /dev/i2c-N exists and opens, and something acknowledges at LCD_I2C_ADDRESS
 * (probeHd44780: a one-byte read, which a PCF8574 backpack answers without changing
 * anything). The read goes through i2c-bus, as the console's driver does, on the real root
 * when it loads; otherwise through i2c-tools' `i2cget` (doctor/i2cget-bus.ts).
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { type Check, type Finding, fail, ok, skip, unusable } from "../check.ts";
import type { DoctorContext } from "../context.ts";
import { isOn } from "../facts/config-txt.ts";
import { i2cgetOpener } from "../i2cget-bus.ts";
import { NO_CONFIG } from "./configuration.ts";

function hex(a: number): string {
  return `0x${a.toString(16).toUpperCase().padStart(2, "0")}`;
}

async function i2cBusLoads(): Promise<boolean> {
  try {
    const specifier: string = "i2c-bus";
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

async function busMissing(ctx: DoctorContext, device: string, hardware: "auto" | "real"): Promise<Finding> {
  const txt = await ctx.configTxt();
  const on = isOn(txt?.dtparams.get("i2c_arm"));
  return unusable(
    hardware,
    `${device} does not exist: I2C is ${on ? "in config.txt but not on in the running kernel" : "off"}`,
    on
      ? "`sudo reboot` (config.txt has `dtparam=i2c_arm=on`)"
      : `add \`dtparam=i2c_arm=on\` to ${txt?.path ?? "/boot/firmware/config.txt"} (or \`sudo raspi-config nonint do_i2c 0\`), then \`sudo reboot\``,
  );
}

export const lcdCheck: Check = {
  id: "lcd",
  title: "LCD",
  manual: "i2cdetect -y 1",
  async run(ctx) {
    if (!ctx.config.ok) return skip(NO_CONFIG);
    const { hardware, lcd } = ctx.config.config;
    if (hardware === "sim") return skip("HARDWARE=sim: the LCD is simulated");
    if (!(await ctx.board()).isPi)
      return skip("not a Raspberry Pi: no I2C bus for an LCD (HARDWARE=auto simulates it)");
    const device = `/dev/i2c-${lcd.i2cBus}`;
    try {
      await access(ctx.at(device));
    } catch {
      return busMissing(ctx, device, hardware);
    }
    try {
      await access(ctx.at(device), constants.R_OK | constants.W_OK);
    } catch {
      return unusable(
        hardware,
        `cannot open ${device} (permission)`,
        "`sudo usermod -aG i2c $USER`, then log out and in again",
      );
    }
    const viaLibrary = !ctx.fakeRoot && (await i2cBusLoads());
    const { probeHd44780 } = await import("../../hardware/display/index.ts");
    const probe = await probeHd44780({
      i2cBus: lcd.i2cBus,
      address: lcd.address,
      timeoutMs: 3000,
      ...(viaLibrary ? {} : { openBus: i2cgetOpener((command, args) => ctx.run(command, args)) }),
    });
    const how = viaLibrary ? "i2c-bus" : "i2cget";
    if (probe.available && !viaLibrary && !ctx.fakeRoot) {
      return unusable(
        hardware,
        `something acknowledges at ${hex(lcd.address)} on ${device} (i2cget), but i2c-bus does not load, so the console cannot drive it`,
        "`npm rebuild i2c-bus` (see Native modules)",
      );
    }
    if (probe.available) return ok(`something acknowledges at ${hex(lcd.address)} on ${device} (${how}): the backpack`);
    const where = `LCD at ${hex(lcd.address)} on ${device}`;
    switch (probe.code) {
      case "EREMOTEIO":
      case "ENXIO":
      case "EIO":
      case "ETIMEDOUT":
        return unusable(
          hardware,
          `nothing acknowledges at ${hex(lcd.address)} on ${device} (${how})`,
          `\`i2cdetect -y ${lcd.i2cBus}\` shows the backpack's address: set LCD_I2C_ADDRESS to it (usually 0x27 or 0x3f), or check SDA (pin 3), SCL (pin 5), 5V and GND`,
        );
      case "EBUSY":
        return fail(
          `${where}: a kernel driver holds the address (EBUSY)`,
          "remove the `dtoverlay=` line that claims it (e.g. hd44780-i2c-lcd) from config.txt, then `sudo reboot`",
        );
      case "EACCES":
      case "EPERM":
        return unusable(
          hardware,
          `${where}: permission denied`,
          "`sudo usermod -aG i2c $USER`, then log out and in again",
        );
      case "ENOENT":
        return busMissing(ctx, device, hardware);
      default:
        return unusable(
          hardware,
          probe.reason,
          /i2cget is not installed/.test(probe.reason)
            ? "`sudo apt install i2c-tools` (and `npm rebuild i2c-bus` for the console's driver)"
            : "`npm rebuild i2c-bus`; `i2cdetect -y 1` shows what is on the bus",
        );
    }
  },
};
