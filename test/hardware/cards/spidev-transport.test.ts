/**
 * The spidev transport against a fake of spi-device's API (open/transfer/close with
 * callbacks) and device files in a temporary directory: what is opened, how bytes go
 * through, and the fixes for each way opening fails.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  openSpidevTransport,
  type SpiDeviceHandle,
  type SpiDeviceLibrary,
  SpiUnavailableError,
  spidevNumbers,
} from "../../../hardware/cards/spidev-transport.ts";
import { spiError } from "./mfrc522-emulator.ts";

interface FakeSpi {
  lib: SpiDeviceLibrary;
  opens: { bus: number; device: number; options: object }[];
  sent: { bytes: number[]; speedHz: number | undefined }[];
  closes: number;
  /** Error the open callback gets. */
  openError?: Error;
  /** Error the next transfers get. */
  transferError?: Error;
}

function fakeSpiDevice(): FakeSpi {
  const fake: FakeSpi = {
    opens: [],
    sent: [],
    closes: 0,
    lib: {
      open(bus, device, options, callback) {
        fake.opens.push({ bus, device, options });
        const handle: SpiDeviceHandle = {
          transfer(message, cb) {
            const [m] = message;
            assert.ok(m && message.length === 1, "one transfer per message");
            assert.equal(m.byteLength, m.sendBuffer.length);
            assert.equal(m.receiveBuffer.length, m.sendBuffer.length);
            fake.sent.push({ bytes: Array.from(m.sendBuffer), speedHz: m.speedHz });
            setImmediate(() => {
              if (fake.transferError) return cb(fake.transferError, message);
              m.sendBuffer.forEach((b, i) => {
                m.receiveBuffer[i] = b ^ 0xff; // an answer we can recognise
              });
              cb(null, message);
            });
          },
          close(cb) {
            fake.closes++;
            setImmediate(() => cb(null));
          },
        };
        setImmediate(() => callback(fake.openError ?? null));
        return handle;
      },
    },
  };
  return fake;
}

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "seroma-spidev-"));
  await writeFile(join(dir, "spidev0.0"), "");
  await writeFile(join(dir, "spidev0.1"), "");
  await writeFile(join(dir, "ttyS0"), "");
  await symlink(join(dir, "spidev0.1"), join(dir, "rfid"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("spidevNumbers", () => {
  test("bus and chip select from a spidev name", () => {
    assert.deepEqual(spidevNumbers("/dev/spidev0.0"), { bus: 0, device: 0 });
    assert.deepEqual(spidevNumbers("/dev/spidev10.1"), { bus: 10, device: 1 });
    assert.equal(spidevNumbers("/dev/ttyS0"), undefined);
    assert.equal(spidevNumbers("/dev/spidev0"), undefined);
  });
});

describe("openSpidevTransport", () => {
  test("opens the bus/device of the path in mode 0 at 1 MHz; a transfer is one message; close once", async () => {
    const fake = fakeSpiDevice();
    const spi = await openSpidevTransport(join(dir, "spidev0.0"), { loadLibrary: async () => fake.lib });
    assert.deepEqual(fake.opens, [{ bus: 0, device: 0, options: { mode: 0, maxSpeedHz: 1_000_000 } }]);
    const back = await spi.transfer(Uint8Array.from([0xee, 0x00]));
    assert.deepEqual(Array.from(back), [0x11, 0xff]);
    assert.deepEqual(fake.sent, [{ bytes: [0xee, 0x00], speedHz: 1_000_000 }]);
    await spi.close();
    await spi.close();
    assert.equal(fake.closes, 1);
    await assert.rejects(spi.transfer(Uint8Array.from([0xee, 0])), /is closed/);
  });

  test("a symlink (a udev rule's name) is followed to its spidev device; the speed is configurable", async () => {
    const fake = fakeSpiDevice();
    const spi = await openSpidevTransport(join(dir, "rfid"), { speedHz: 4_000_000, loadLibrary: async () => fake.lib });
    assert.deepEqual(fake.opens, [{ bus: 0, device: 1, options: { mode: 0, maxSpeedHz: 4_000_000 } }]);
    await spi.close();
  });

  test("a transfer error (EIO) reaches the caller as it is", async () => {
    const fake = fakeSpiDevice();
    const spi = await openSpidevTransport(join(dir, "spidev0.0"), { loadLibrary: async () => fake.lib });
    fake.transferError = spiError("EIO");
    await assert.rejects(spi.transfer(Uint8Array.from([0xee, 0x00])), {
      code: "EIO",
      message: "EIO, Input/output error",
    });
    await spi.close();
  });

  test("no such device: SPI is off, with dtparam=spi=on; spi-device is never asked", async () => {
    const fake = fakeSpiDevice();
    await assert.rejects(
      openSpidevTransport(join(dir, "spidev9.9"), { loadLibrary: async () => fake.lib }),
      (e: unknown) => {
        assert.ok(e instanceof SpiUnavailableError);
        assert.match(e.problem, /spidev9\.9 does not exist \(ENOENT\): SPI is off/);
        assert.match(e.fix, /dtparam=spi=on.*\/boot\/firmware\/config\.txt.*raspi-config/);
        assert.match(e.message, /HARDWARE=sim/);
        return true;
      },
    );
    assert.equal(fake.opens.length, 0);
  });

  test("spi-device says EACCES or EPERM: the spi group; ENOENT: SPI is off; EBUSY: another program", async () => {
    for (const [code, pattern] of [
      ["EACCES", /no permission to open .* \(EACCES\)\. .*sudo usermod -aG spi \$USER/],
      ["EPERM", /no permission .*\(EPERM\).*spi/],
      ["ENOENT", /does not exist \(ENOENT\): SPI is off.*dtparam=spi=on/],
      ["EBUSY", /is busy \(EBUSY\)/],
    ] as const) {
      const fake = fakeSpiDevice();
      fake.openError = spiError(code, 13, "open");
      await assert.rejects(
        openSpidevTransport(join(dir, "spidev0.0"), { loadLibrary: async () => fake.lib }),
        (e: unknown) => {
          assert.ok(e instanceof SpiUnavailableError);
          assert.match(e.message, pattern);
          return true;
        },
      );
    }
  });

  test("a device that is not a spidev device is refused by name", async () => {
    const fake = fakeSpiDevice();
    await assert.rejects(
      openSpidevTransport(join(dir, "ttyS0"), { loadLibrary: async () => fake.lib }),
      /ttyS0 is not a spidev device\. Name one such as \/dev\/spidev0\.0/,
    );
  });

  test("spi-device missing: how to install it; present but not built: npm rebuild spi-device", async () => {
    const missing = "spi-device-is-not-here";
    await assert.rejects(
      openSpidevTransport(join(dir, "spidev0.0"), { loadLibrary: () => import(missing) }),
      (e: unknown) => {
        assert.ok(e instanceof SpiUnavailableError);
        assert.match(e.message, /^the spi-device package is not installed\. .*npm install --include=optional/);
        return true;
      },
    );
    await assert.rejects(
      openSpidevTransport(join(dir, "spidev0.0"), {
        loadLibrary: async () => {
          throw new Error("Could not locate the bindings file. Tried: .../build/Release/spi.node");
        },
      }),
      /could not be loaded \(Could not locate the bindings file.*npm rebuild spi-device/,
    );
  });

  test("a speed the MFRC522 cannot take is a RangeError", async () => {
    await assert.rejects(openSpidevTransport("/dev/spidev0.0", { speedHz: 11_000_000 }), RangeError);
  });
});
