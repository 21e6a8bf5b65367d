/**
 * The DHT22: one reading through the kernel's IIO dht11 driver (probeDht22Iio, the sysfs
 * tree under the doctor's root); without the overlay, through node-dht-sensor (probeDht22,
 * only on the real root: it opens /dev/gpiomem itself). An occasional failed reading is
 * normal for this sensor, so a sensor that is there but answers badly is a warning.
 */
import { type Check, type Finding, ok, skip, unusable, warn } from "../check.ts";
import type { DoctorContext } from "../context.ts";
import { NO_CONFIG } from "./configuration.ts";

const c1 = (n: number) => n.toFixed(1);

function withoutHint(reason: string, hint: string | undefined): string {
  return hint ? reason.replace(`: ${hint}`, "") : reason;
}

/** When config.txt already has the line, the fix is a reboot. */
async function overlayFix(ctx: DoctorContext, pin: number, hint: string | undefined): Promise<string> {
  const txt = await ctx.configTxt();
  const line = `dtoverlay=dht11,gpiopin=${pin}`;
  const listed = txt?.overlays.some((o) => o.name === "dht11" && (o.params.get("gpiopin") ?? "4") === String(pin));
  if (txt && listed)
    return `\`sudo reboot\`: ${txt.path} has \`${line}\` but the running kernel has no such device (after a reboot, \`dmesg | grep dht11\`)`;
  return hint ?? `add \`${line}\` to ${txt?.path ?? "/boot/firmware/config.txt"}, then \`sudo reboot\``;
}

export const climateCheck: Check = {
  id: "climate",
  title: "Climate sensor",
  manual: "cat /sys/bus/iio/devices/iio:device0/in_temp_input",
  async run(ctx): Promise<Finding> {
    if (!ctx.config.ok) return skip(NO_CONFIG);
    const { hardware, dht } = ctx.config.config;
    if (hardware === "sim") return skip("HARDWARE=sim: the DHT22 is simulated");
    if (!(await ctx.board()).isPi) return skip("not a Raspberry Pi: no DHT22 to read (HARDWARE=auto simulates it)");
    const { probeDht22Iio, probeDht22 } = await import("../../hardware/climate/index.ts");
    const iio = await probeDht22Iio({ pin: dht.pin, sysfsRoot: ctx.root, retries: 0 });
    if (iio.available) {
      const { device, sample } = iio;
      return ok(
        `DHT22 through the kernel (${device.name}, GPIO ${device.gpio ?? dht.pin}): ${c1(sample.temperatureC)} °C, ${c1(sample.humidityPct)} %`,
      );
    }
    if (iio.code !== "unavailable") {
      return warn(
        `the kernel's DHT22 on GPIO ${dht.pin} is there, but one reading failed (${iio.code}): ${withoutHint(iio.reason, iio.hint)}`,
        iio.hint ?? "run the doctor again: one failed reading in a few is normal; every time is wiring or power",
      );
    }
    const noIio = withoutHint(iio.reason, iio.hint);
    const fix = await overlayFix(ctx, dht.pin, iio.hint);
    if (ctx.fakeRoot) return unusable(hardware, `${noIio} (node-dht-sensor not tried under DOCTOR_ROOT)`, fix);
    const lib = await probeDht22({ pin: dht.pin, retries: 0 });
    if (lib.available) {
      const s = lib.sample;
      return ok(
        `DHT22 through node-dht-sensor on GPIO ${dht.pin}: ${c1(s.temperatureC)} °C, ${c1(s.humidityPct)} % (no kernel overlay: ${noIio})`,
      );
    }
    if (lib.code !== "unavailable") {
      return warn(
        `node-dht-sensor reaches the DHT22 on GPIO ${dht.pin}, but one reading failed (${lib.code}): ${lib.reason}`,
        `check the wiring and the pull-up; better, use the kernel driver: ${fix}`,
      );
    }
    return unusable(hardware, `no usable DHT22: ${noIio}; node-dht-sensor: ${lib.reason}`, fix);
  },
};
