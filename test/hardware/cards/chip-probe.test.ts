/** The card reader probe for start-up and `npm run doctor`: VersionReg over SPI, in words, with the fixes. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { probeCardReaderChip } from "../../../hardware/cards/chip-probe.ts";
import { EmulatedSpi, Mfrc522Emulator, spiError } from "./mfrc522-emulator.ts";

function withChip(setup: (emu: Mfrc522Emulator, spi: EmulatedSpi) => void = () => {}) {
  const emu = new Mfrc522Emulator();
  const spi = new EmulatedSpi(emu);
  setup(emu, spi);
  const opened: string[] = [];
  return {
    emu,
    spi,
    opened,
    openTransport: async (device: string) => {
      opened.push(device);
      return spi;
    },
  };
}

describe("probeCardReaderChip", () => {
  test("a genuine MFRC522 (0x92, 0x91): answering, named, no hints; the device closed again; nothing changed on the chip", async () => {
    for (const [version, name] of [
      [0x92, "MFRC522 v2.0"],
      [0x91, "MFRC522 v1.0"],
    ] as const) {
      const rig = withChip((emu) => {
        emu.version = version;
      });
      const probe = await probeCardReaderChip({ openTransport: rig.openTransport });
      assert.deepEqual(probe, {
        device: "/dev/spidev0.0",
        verdict: "genuine",
        answering: true,
        version,
        chip: name,
        message: `${name} (VersionReg 0x${version.toString(16).toUpperCase()}) answers on /dev/spidev0.0`,
        hints: [],
      });
      assert.deepEqual(rig.opened, ["/dev/spidev0.0"]);
      assert.equal(rig.spi.open, false);
      assert.equal(rig.emu.stats.softResets, 0);
      assert.equal(rig.emu.stats.transfers, 1, "one read of VersionReg");
    }
  });

  test("known clones (0x88, 0x12, 0xB2): answering, called clones, with a hint", async () => {
    for (const version of [0x88, 0x12, 0xb2]) {
      const rig = withChip((emu) => {
        emu.version = version;
      });
      const probe = await probeCardReaderChip({ device: "/dev/spidev0.1", openTransport: rig.openTransport });
      assert.equal(probe.verdict, "clone");
      assert.equal(probe.answering, true);
      assert.equal(probe.version, version);
      assert.match(probe.chip ?? "", /clone/);
      assert.match(probe.message, /answers on \/dev\/spidev0\.1/);
      assert.match(probe.hints.join(" "), /clone chip/);
    }
  });

  test("nothing answers (0x00, 0xFF): not answering, with the wiring and power hint for the right chip select", async () => {
    for (const [bus, shown] of [
      ["low", "0x00"],
      ["high", "0xFF"],
    ] as const) {
      const rig = withChip((emu) => {
        emu.bus = bus;
      });
      const probe = await probeCardReaderChip({ openTransport: rig.openTransport });
      assert.equal(probe.verdict, "absent");
      assert.equal(probe.answering, false);
      assert.match(probe.message, new RegExp(`nothing answers on /dev/spidev0\\.0: VersionReg reads ${shown}`));
      assert.match(
        probe.hints.join(" "),
        /SDA to pin 24 \(CE0\), SCK to pin 23, MOSI to pin 19, MISO to pin 21, 3\.3V/,
      );
      assert.match(probe.hints.join(" "), /never 5 V/);
    }
    const ce1 = withChip((emu) => {
      emu.bus = "low";
    });
    const probe = await probeCardReaderChip({ device: "/dev/spidev0.1", openTransport: ce1.openTransport });
    assert.match(probe.hints.join(" "), /SDA to pin 26 \(CE1\)/);
  });

  test("an unknown version: something answers, but maybe not the reader", async () => {
    const rig = withChip((emu) => {
      emu.version = 0x37;
    });
    const probe = await probeCardReaderChip({ openTransport: rig.openTransport });
    assert.equal(probe.verdict, "unknown");
    assert.equal(probe.answering, true);
    assert.match(probe.message, /VersionReg reads 0x37, not an MFRC522 version/);
    assert.match(probe.hints.join(" "), /another SPI device on this chip select/);
  });

  test("SPI transfers failing (EIO): not answering, the error named, the device closed", async () => {
    const rig = withChip((_emu, spi) => {
      spi.failure = spiError("EIO");
    });
    const probe = await probeCardReaderChip({ openTransport: rig.openTransport });
    assert.equal(probe.verdict, "absent");
    assert.equal(probe.answering, false);
    assert.match(probe.message, /SPI transfer on \/dev\/spidev0\.0 failed \(EIO, Input\/output error\)/);
    assert.equal(rig.spi.open, false);
  });

  test("no spidev device (SPI off): unavailable, the fix as a hint; never rejects", async () => {
    const probe = await probeCardReaderChip({
      device: "/nonexistent/seroma-probe/spidev0.0",
      loadLibrary: async () => ({ open: () => assert.fail("never opened") }),
    });
    assert.equal(probe.verdict, "unavailable");
    assert.equal(probe.answering, false);
    assert.match(
      probe.message,
      /^cannot open \/nonexistent\/seroma-probe\/spidev0\.0: .*does not exist \(ENOENT\): SPI is off$/,
    );
    assert.equal(probe.hints.length, 1);
    assert.match(probe.hints[0] ?? "", /dtparam=spi=on/);
  });

  test("spi-device not installed: unavailable, with how to install it", async () => {
    const missing = "spi-device-absent";
    const probe = await probeCardReaderChip({ loadLibrary: () => import(missing) });
    assert.equal(probe.verdict, "unavailable");
    assert.match(probe.message, /the spi-device package is not installed/);
    assert.match(probe.hints[0] ?? "", /npm install --include=optional/);
  });

  test("permission denied: unavailable, with the spi group", async () => {
    const probe = await probeCardReaderChip({
      openTransport: async () => {
        throw new (await import("../../../hardware/cards/spidev-transport.ts")).SpiUnavailableError(
          "no permission to open /dev/spidev0.0 (EACCES)",
          "Let the user that runs the console use it: `sudo usermod -aG spi $USER`, then log in again.",
        );
      },
    });
    assert.equal(probe.verdict, "unavailable");
    assert.match(probe.message, /EACCES/);
    assert.match(probe.hints[0] ?? "", /usermod -aG spi/);
  });
});
