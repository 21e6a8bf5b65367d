/**
 * The door's MFRC522 card reader, through the configured driver's adapter (doctor/card-reader-probe.ts):
 * the driver's prerequisites on this board (files under the doctor's root), then one look at
 * the chip's version register (on the real root only: the libraries open the real /dev).
 */
import { cardReaderAdapter } from "../card-reader-probe.ts";
import { type Check, fail, ok, skip, unusable, warn } from "../check.ts";
import { NO_CONFIG } from "./configuration.ts";

export const cardReaderCheck: Check = {
  id: "card-reader",
  title: "Card reader",
  manual: "ls -l /dev/gpiomem /dev/spidev0.*",
  async run(ctx) {
    if (!ctx.config.ok) return skip(NO_CONFIG);
    const { hardware, door } = ctx.config.config;
    if (hardware === "sim") return skip("HARDWARE=sim: the reader is simulated");
    if (!(await ctx.board()).isPi)
      return skip("not a Raspberry Pi: no SPI to reach a reader (HARDWARE=auto simulates it)");
    const adapter = cardReaderAdapter(door.driver);
    const input = {
      at: ctx.at,
      resetPin: door.resetPin,
      spiChip: door.spiChip,
      device: door.spiDevice,
    };
    const pre = await adapter.prerequisites(input);
    if (pre) return unusable(hardware, `${adapter.driver}: ${pre.problem}`, pre.hint);
    if (ctx.fakeRoot) {
      return skip(`${adapter.driver}: this board suits it; the chip itself is not probed under DOCTOR_ROOT`);
    }
    const chip = await adapter.probeChip(input);
    const hint = chip.hints[0];
    switch (chip.verdict) {
      case "genuine":
        return ok(`${adapter.driver}: ${chip.message}`);
      case "clone":
        return ok(`${adapter.driver}: ${chip.message}`, hint);
      case "unknown":
        return warn(`${adapter.driver}: ${chip.message}`, hint ?? "check what else is on this chip select");
      case "absent":
        return fail(
          `${adapter.driver}: ${chip.message} (the console would report the reader dead)`,
          hint ?? "check the reader's wiring and power",
        );
      default:
        return unusable(hardware, `${adapter.driver}: ${chip.message}`, hint ?? "`npm install --include=optional`");
    }
  },
};
