/**
 * The spidev driver with the real spi-device package (when it installed and built), on a
 * machine without /dev/spidev0.0: everything refuses clearly, with the fix. Also pins down
 * the parts of spi-device's behaviour the transport relies on.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import { probeCardReaderChip } from "../../../hardware/cards/chip-probe.ts";
import { createMfrc522SpidevReader } from "../../../hardware/cards/mfrc522-spidev.ts";
import { loadSpiDeviceLibrary, openSpidevTransport } from "../../../hardware/cards/spidev-transport.ts";

const loaded = await loadSpiDeviceLibrary().then(
  (lib) => lib,
  () => undefined,
);
const noPackage = loaded ? false : "spi-device is not installed or not built here";
const spiOn = noPackage || (existsSync("/dev/spidev0.0") ? "this machine has /dev/spidev0.0" : false);

describe("spi-device as installed", { skip: noPackage }, () => {
  test("open() of a bus that does not exist calls back an errno Error: code ENOENT, syscall open", async () => {
    const lib = loaded;
    assert.ok(lib);
    const err = await new Promise<unknown>((resolve) => {
      lib.open(97, 3, { mode: 0, maxSpeedHz: 1_000_000 }, (e) => resolve(e));
    });
    assert.ok(err instanceof Error);
    assert.equal((err as { code?: string }).code, "ENOENT");
    assert.equal((err as { syscall?: string }).syscall, "open");
  });

  test("without SPI turned on: the transport, the probe and the driver all say to turn it on", {
    skip: spiOn,
  }, async () => {
    await assert.rejects(
      openSpidevTransport(),
      /\/dev\/spidev0\.0 does not exist \(ENOENT\): SPI is off\. .*dtparam=spi=on/,
    );
    const probe = await probeCardReaderChip();
    assert.equal(probe.verdict, "unavailable");
    assert.match(probe.hints.join(" "), /dtparam=spi=on/);
    const reader = createMfrc522SpidevReader({ resetLine: null });
    await assert.rejects(
      reader.start(() => {}),
      /^Error: MFRC522 on \/dev\/spidev0\.0: \/dev\/spidev0\.0 does not exist/,
    );
    await reader.stop();
  });
});
