/**
 * The MFRC522 register protocol (mfrc522-chip.ts) and the ISO/IEC 14443-3 card selection
 * (card-select.ts) against the register-level emulator: the bytes on the SPI bus, the
 * chip's commands, and whole UIDs read through cascades, collisions and damaged answers.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readCard } from "../../../hardware/cards/card-select.ts";
import {
  ChipError,
  createMfrc522Chip,
  describeChipVersion,
  readAddress,
  type SpiTransport,
  writeAddress,
} from "../../../hardware/cards/mfrc522-chip.ts";
import { bytesToHex } from "../../../hardware/cards/uid.ts";
import { crc16, EmulatedSpi, Mfrc522Emulator } from "./mfrc522-emulator.ts";

function rig() {
  const emu = new Mfrc522Emulator();
  const spi = new EmulatedSpi(emu);
  const sent: number[][] = [];
  const recording: SpiTransport = {
    transfer: async (data) => {
      sent.push(Array.from(data));
      return spi.transfer(data);
    },
    close: () => spi.close(),
  };
  const chip = createMfrc522Chip(recording);
  return { emu, spi, chip, sent };
}

async function ready() {
  const r = rig();
  await r.chip.init();
  return r;
}

describe("MFRC522 over SPI: registers", () => {
  test("address bytes: (reg << 1) & 0x7E, bit 7 for a read; a read ends with 0x00 and skips the first byte back", async () => {
    assert.equal(readAddress(0x37), 0xee);
    assert.equal(writeAddress(0x01), 0x02);
    assert.equal(writeAddress(0x09), 0x12);
    const { chip, sent, emu } = rig();
    assert.equal(await chip.readRegister(0x37), 0x92);
    assert.deepEqual(sent.at(-1), [0xee, 0x00]);
    assert.deepEqual(
      await chip.readRegisters([0x37, 0x14, 0x11]),
      [0x92, 0x80, 0x3f],
      "reset values of TxControl, Mode",
    );
    assert.deepEqual(sent.at(-1), [0xee, 0xa8, 0xa2, 0x00]);
    await chip.writeRegister(0x09, 1, 2, 3);
    assert.deepEqual(sent.at(-1), [0x12, 1, 2, 3]);
    assert.equal(await chip.readRegister(0x0a), 3, "three bytes in the FIFO");
    assert.deepEqual(emu.violations, []);
  });

  test("init: soft reset waited out, the ISO 14443 A set-up, antenna on; status() notices a chip that was reset", async () => {
    const { chip, emu } = rig();
    emu.resetBusyReads = 5;
    assert.deepEqual(await chip.status(), { version: 0x92, configured: false });
    await chip.init();
    assert.equal(emu.stats.softResets, 1);
    assert.equal(emu.register(0x14) & 0x03, 0x03, "antenna on");
    assert.equal(emu.register(0x15), 0x40, "100 % ASK");
    assert.equal(emu.register(0x2a) & 0x80, 0x80, "timer starts after each transmission (TAuto)");
    assert.deepEqual(await chip.status(), { version: 0x92, configured: true });
    emu.hardReset();
    assert.deepEqual(await chip.status(), { version: 0x92, configured: false });
    assert.deepEqual(emu.violations, []);
  });

  test("a soft reset that never ends (PowerDown stuck) is a ChipError, not a hang", async () => {
    const emu = new Mfrc522Emulator();
    emu.resetBusyReads = 10_000;
    const chip = createMfrc522Chip(new EmulatedSpi(emu), { maxWaitReads: 50 });
    await assert.rejects(
      chip.init(),
      (e: unknown) => e instanceof ChipError && /did not finish its soft reset/.test(e.message),
    );
  });

  test("the CRC coprocessor: CRC_A with the 0x6363 preset once set up, low byte first", async () => {
    const { chip, emu } = await ready();
    const frame = [0x93, 0x70, 0x04, 0xa2, 0xb3, 0xc4, 0xd1];
    assert.deepEqual(await chip.calculateCrc(frame), crc16(frame));
    assert.deepEqual(await chip.calculateCrc([0x50, 0x00]), [0x57, 0xcd], "HLTA's well-known CRC_A");
    assert.equal(emu.stats.crcCalculations, 2);
    assert.deepEqual(emu.violations, []);
  });

  test("transceive: WUPA to an empty field times out on the chip's timer; a card answers ATQA", async () => {
    const { chip, emu } = await ready();
    assert.deepEqual(await chip.transceive([0x52], { txLastBits: 7 }), { status: "timeout" });
    emu.place("04A2B3C4");
    assert.deepEqual(await chip.transceive([0x52], { txLastBits: 7 }), {
      status: "ok",
      data: [0x04, 0x00],
      lastBits: 0,
    });
    assert.deepEqual(emu.violations, []);
  });

  test("without the chip's timer nothing ends a wait for a silent field: a ChipError after maxWaitReads", async () => {
    const emu = new Mfrc522Emulator();
    const chip = createMfrc522Chip(new EmulatedSpi(emu), { maxWaitReads: 30 });
    await chip.init();
    await chip.writeRegister(0x2a, 0x00); // TAuto off
    await assert.rejects(chip.transceive([0x52], { txLastBits: 7 }), ChipError);
  });

  test("VersionReg values: genuine, clones, nothing", () => {
    assert.deepEqual(describeChipVersion(0x92), { kind: "genuine", name: "MFRC522 v2.0" });
    assert.deepEqual(describeChipVersion(0x91), { kind: "genuine", name: "MFRC522 v1.0" });
    for (const clone of [0x88, 0xb2, 0x12]) assert.equal(describeChipVersion(clone).kind, "clone");
    assert.equal(describeChipVersion(0x00).kind, "absent");
    assert.equal(describeChipVersion(0xff).kind, "absent");
    assert.equal(describeChipVersion(0x37).kind, "unknown");
  });
});

describe("readCard: ISO/IEC 14443-3 selection through the chip", () => {
  test("no card: none, after one WUPA", async () => {
    const { chip, emu } = await ready();
    assert.deepEqual(await readCard(chip), { kind: "none" });
    assert.equal(emu.sent("wupa").length, 1);
    assert.deepEqual(emu.violations, []);
  });

  test("4-, 7- and 10-byte UIDs: one cascade level per 3 or 4 bytes, SELECT with BCC and CRC_A, then HLTA", async () => {
    for (const [hex, levels] of [
      ["04A2B3C4", 1],
      ["04112233445566", 2],
      ["0411223344556677889A", 3],
    ] as const) {
      const { chip, emu } = await ready();
      const card = emu.place(hex);
      const read = await readCard(chip);
      assert.ok(read.kind === "card", `${hex}: ${JSON.stringify(read)}`);
      assert.equal(bytesToHex(read.uid), hex);
      assert.equal(read.sak, card.sak);
      assert.equal(emu.sent("select").length, levels);
      assert.equal(emu.sent("anticollision").length, levels);
      assert.equal(emu.sent("hlta").length, 1);
      assert.equal(card.state, "halt");
      assert.deepEqual(emu.violations, []);
    }
  });

  test("a card in HALT is woken again by the next read (WUPA): a held card is seen every poll", async () => {
    const { chip, emu } = await ready();
    emu.place("04A2B3C4");
    for (let i = 0; i < 3; i++) assert.equal((await readCard(chip)).kind, "card");
  });

  test("two cards: the collision is resolved bit by bit and one whole UID is read", async () => {
    const { chip, emu } = await ready();
    emu.place("04A2B3C4");
    emu.place("04A2B3C5"); // differs in the last bit of the 4th byte only
    const read = await readCard(chip);
    assert.ok(read.kind === "card");
    assert.equal(bytesToHex(read.uid), "04A2B3C5", "the reader picks 1 at the collided bit");
    assert.ok(read.collisions >= 1);
    assert.deepEqual(emu.violations, []);
  });

  test("collisions at several cascade levels and inside partial bytes (7- and 10-byte cards)", async () => {
    const { chip, emu } = await ready();
    const cards = ["04112233445566", "0411223344F566", "0411223344556677889A"].map((uid) => emu.place(uid));
    // picking 1 at every collided bit decides the order; the selected card is then taken away
    const order: string[] = [];
    const collisions: number[] = [];
    for (let i = 0; i < 3; i++) {
      const read = await readCard(chip);
      assert.ok(read.kind === "card", JSON.stringify(read));
      order.push(bytesToHex(read.uid));
      collisions.push(read.collisions);
      emu.take(cards.find((c) => bytesToHex(c.uid) === bytesToHex(read.uid)));
    }
    assert.deepEqual(order, ["0411223344F566", "04112233445566", "0411223344556677889A"]);
    assert.deepEqual(collisions, [3, 2, 0]);
    assert.ok(
      emu.sent("anticollision").some((f) => (f.bytes[1] ?? 0) & 0x07 && (f.bytes[1] ?? 0) >> 4 > 2),
      "a collision was resolved inside a partial byte after whole known bytes",
    );
    assert.deepEqual(emu.violations, []);
  });

  test("damaged answers (parity, protocol, CRC flagged, a wrong SAK CRC, a wrong BCC) are retried from WUPA", async () => {
    for (const [damage, on] of [
      ["parity", "wupa"],
      ["parity", "anticollision"],
      ["protocol", "select"],
      ["crc-flag", "select"],
      ["sak-crc", "select"],
      ["bcc", "anticollision"],
    ] as const) {
      const { chip, emu } = await ready();
      emu.place("04112233445566");
      emu.damageNext(damage, { on });
      const read = await readCard(chip);
      assert.ok(read.kind === "card", `${damage} on ${on}: ${JSON.stringify(read)}`);
      assert.equal(bytesToHex(read.uid), "04112233445566");
      assert.equal(read.attempts, 2, `${damage} on ${on}`);
      assert.deepEqual(emu.violations, []);
    }
  });

  test("an answer damaged every time: failed, with the reason, after the attempts", async () => {
    const { chip, emu } = await ready();
    emu.place("04A2B3C4");
    emu.damageNext("sak-crc", { on: "select", count: 5 });
    const read = await readCard(chip, { attempts: 3 });
    assert.deepEqual(read.kind, "failed");
    assert.ok(read.kind === "failed" && /CRC_A error in the SAK .* \(3 attempts\)/.test(read.reason));
    assert.equal(emu.sent("wupa").length, 3);
  });

  test("a reader set up wrongly reads nothing: no 100 % ASK, no card hears it", async () => {
    const { chip, emu } = await ready();
    emu.place("04A2B3C4");
    await chip.writeRegister(0x15, 0x00);
    assert.deepEqual(await readCard(chip), { kind: "none" });
  });
});
