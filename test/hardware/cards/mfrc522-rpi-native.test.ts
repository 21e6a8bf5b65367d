/**
 * The mfrc522-rpi driver with the real mfrc522-rpi package (when it installed), on a machine
 * that is not a Raspberry Pi: start() must refuse clearly instead of letting rpio fall
 * back to its silent mock mode. Also pins down the parts of the library's API the driver
 * and the fake rely on.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import { selectCardReader } from "../../../hardware/cards/index.ts";
import { createMfrc522RpiReader, loadMfrc522RpiLibrary, probeMfrc522Rpi } from "../../../hardware/cards/mfrc522-rpi.ts";

const installed = await import("mfrc522-rpi").then(
  () => true,
  () => false,
);

function onRaspberryPi(): boolean {
  try {
    return readFileSync("/proc/device-tree/model", "latin1").startsWith("Raspberry Pi");
  } catch {
    return false;
  }
}

const noPackage = installed ? false : "mfrc522-rpi is not installed here";
const offPi = noPackage || (onRaspberryPi() ? "this is a Raspberry Pi" : false);

describe("mfrc522-rpi as installed", { skip: noPackage }, () => {
  test("exports the MFRC522 class with the methods the driver uses", async () => {
    const mod = (await import("mfrc522-rpi")) as unknown as { default: { prototype: Record<string, unknown> } };
    for (const method of [
      "setResetPin",
      "reset",
      "readRegister",
      "writeRegister",
      "findCard",
      "getUid",
      "toCard",
      "calculateCRC",
      "selectCard",
      "stopCrypto",
    ]) {
      assert.equal(typeof mod.default.prototype[method], "function", method);
    }
    assert.equal(typeof (mod.default.prototype as { getVersion?: unknown }).getVersion, "undefined");
  });

  test("rpi-softspi resolves from the library and takes the pin options the driver passes", () => {
    const fromLibrary = createRequire(createRequire(import.meta.url).resolve("mfrc522-rpi"));
    const SoftSPI = fromLibrary("rpi-softspi") as new (o: object) => Record<string, unknown>;
    // constructing only stores the pins; open() would touch rpio
    const spi = new SoftSPI({ clock: 23, mosi: 19, miso: 21, client: 24 });
    assert.deepEqual([spi.clock, spi.mosi, spi.miso, spi.client, spi.mode], [23, 19, 21, 24, 0]);
    for (const method of ["open", "close", "transfer", "write"]) assert.equal(typeof spi[method], "function");
  });

  test("off a Pi: start() rejects with a clear message, and nothing is left running", { skip: offPi }, async () => {
    const reader = createMfrc522RpiReader();
    await assert.rejects(
      reader.start(() => {}),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /^MFRC522: this is not a Raspberry Pi/);
        assert.match(e.message, /HARDWARE=sim/);
        return true;
      },
    );
    await reader.stop();
    await assert.rejects(loadMfrc522RpiLibrary(), /not a Raspberry Pi/);
  });

  test("off a Pi: the probe says why, and auto falls back to the simulator", { skip: offPi }, async () => {
    const probe = await probeMfrc522Rpi();
    assert.ok(!probe.available && /not a Raspberry Pi/.test(probe.reason));
    const chosen = await selectCardReader({ mode: "auto", driver: "mfrc522-rpi" });
    assert.equal(chosen.reader.driver, "sim");
    assert.match(chosen.reason ?? "", /using the simulator: MFRC522: this is not a Raspberry Pi/);
    await assert.rejects(
      selectCardReader({ mode: "real", driver: "mfrc522-rpi" }),
      /HARDWARE=real.*not a Raspberry Pi/,
    );
  });
});
