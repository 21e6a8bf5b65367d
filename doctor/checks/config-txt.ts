/**
 * config.txt: the lines the room's devices need, as they apply to this board:
 *   dtparam=i2c_arm=on             the LCD (/dev/i2c-1)
 *   dtparam=spi=on                 the card reader (/dev/spidev0.N)
 *   dtoverlay=dht11,gpiopin=PIN    the DHT22 through the kernel, PIN = DHT_PIN
 * A missing line is a warning here (the device checks say what it costs); changes need a reboot.
 */
import { type Check, ok, skip, warn } from "../check.ts";
import { isOn } from "../facts/config-txt.ts";
import { NO_CONFIG } from "./configuration.ts";

/** The dht11 overlay's own default for gpiopin. */
const DHT11_DEFAULT_PIN = "4";

export const configTxtCheck: Check = {
  id: "config-txt",
  title: "config.txt",
  manual: "grep -E '^(dtparam|dtoverlay)' /boot/firmware/config.txt",
  async run(ctx) {
    if (!ctx.config.ok) return skip(NO_CONFIG);
    const { hardware, dht } = ctx.config.config;
    if (hardware === "sim") return skip("HARDWARE=sim: the devices are simulated");
    if (!(await ctx.board()).isPi) return skip("not a Raspberry Pi: there is no config.txt");
    const txt = await ctx.configTxt();
    if (!txt) {
      return warn(
        "no /boot/firmware/config.txt (nor /boot/config.txt): is /boot/firmware mounted?",
        "check `findmnt /boot/firmware`; the file is on the SD card's first partition",
      );
    }
    const dhtLine = `dtoverlay=dht11,gpiopin=${dht.pin}`;
    const missing: string[] = [];
    const wrong: string[] = [];
    if (!isOn(txt.dtparams.get("i2c_arm"))) missing.push("dtparam=i2c_arm=on");
    if (!isOn(txt.dtparams.get("spi"))) missing.push("dtparam=spi=on");
    const dht11 = txt.overlays.filter((o) => o.name === "dht11");
    const pins = dht11.map((o) => o.params.get("gpiopin") ?? DHT11_DEFAULT_PIN);
    if (dht11.length === 0) missing.push(dhtLine);
    else if (!pins.includes(String(dht.pin))) {
      const o = dht11[0];
      wrong.push(`line ${o?.line}: dtoverlay=dht11 is on GPIO ${pins[0]}, but DHT_PIN is ${dht.pin}`);
    }
    if (missing.length === 0 && wrong.length === 0) {
      return ok(`${txt.path}: I2C on, SPI on, dtoverlay=dht11 on GPIO ${dht.pin} (DHT_PIN)`);
    }
    const said = [...(missing.length ? [`missing ${missing.map((l) => `\`${l}\``).join(", ")}`] : []), ...wrong].join(
      "; ",
    );
    const fix = [
      ...(missing.length ? [`add ${missing.map((l) => `\`${l}\``).join(" and ")} to ${txt.path}`] : []),
      ...(wrong.length
        ? [`make it \`${dhtLine}\` in ${txt.path} (or set DHT_PIN=${pins[0]} if the sensor is wired there)`]
        : []),
    ].join("; ");
    return warn(`${txt.path}: ${said}`, `${fix}, then \`sudo reboot\``);
  },
};
