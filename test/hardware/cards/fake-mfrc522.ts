/**
 * Test doubles at the device boundary: a stand-in for mfrc522-rpi's MFRC522 class (and the
 * SoftSPI it is given) that answers like the chip would with a card, or none, in its
 * field, including the ISO/IEC 14443-3 cascade for 7- and 10-byte UIDs. (The manual timers
 * the polling tests use are in test/support/fakes.ts.)
 */
import assert from "node:assert/strict";
import type { Mfrc522RpiChip, Mfrc522RpiLibrary, SoftSpiOptions, SpiBus } from "../../../hardware/cards/mfrc522-rpi.ts";

const VERSION_REG = 0x37;
const SEL = [0x93, 0x95, 0x97];

/** ISO/IEC 14443-3 CRC_A (what the chip's CRC coprocessor computes). */
export function crcA(data: readonly number[]): number[] {
  let crc = 0x6363;
  for (const b of data) {
    let ch = (b ^ (crc & 0xff)) & 0xff;
    ch = (ch ^ (ch << 4)) & 0xff;
    crc = ((crc >> 8) ^ (ch << 8) ^ (ch << 3) ^ (ch >> 4)) & 0xffff;
  }
  return [crc & 0xff, crc >> 8];
}

const xor = (bytes: readonly number[]) => bytes.reduce((a, b) => a ^ b, 0);

/** The cascade levels of a UID: 4 bytes each (cascade tag 0x88 first when the UID goes on). */
export function cascadeLevels(uid: readonly number[]): number[][] {
  if (uid.length === 4) return [[...uid]];
  if (uid.length === 7) return [[0x88, ...uid.slice(0, 3)], uid.slice(3, 7)];
  if (uid.length === 10) return [[0x88, ...uid.slice(0, 3)], [0x88, ...uid.slice(3, 6)], uid.slice(6, 10)];
  throw new Error(`bad test UID length ${uid.length}`);
}

export const hexBytes = (hex: string): number[] => (hex.match(/../g) ?? []).map((h) => Number.parseInt(h, 16));

export type Fault = "throw" | "throw-string" | "version-00" | "version-ff";

/** The world the fake chip lives in: what is in its field, whether it answers, what was called. */
export class FakeReaderWorld {
  /** UID bytes of the card in the field, or undefined. */
  card: number[] | undefined;
  /** Cascade level (0-based) whose anticollision answer carries a wrong BCC. */
  corruptBccAtLevel: number | undefined;
  /** Whether getUid() reports a wrong BCC as status true (the real library says false). */
  getUidIgnoresBcc = false;
  /** SAK lies: says "complete" even when the UID goes on. */
  sakAlwaysComplete = false;
  fault: Fault | undefined;
  version = 0x92;
  /** Called at the start of every poll (the version register read). */
  onPoll: (() => void) | undefined;
  readonly spiOptions: SoftSpiOptions[] = [];
  readonly resets: number[] = [];
  readonly calls = { polls: 0, findCard: 0, getUid: 0, stopCrypto: 0, softReset: 0, spiOpen: 0, spiClose: 0 };
  /** Constructor failure of SoftSPI/MFRC522 (rpio cannot open the pins). */
  openFailure: unknown;
  private openBuses = 0;

  get spiOpen(): boolean {
    return this.openBuses > 0;
  }

  library(): Mfrc522RpiLibrary {
    const world = this;
    class FakeSoftSpi implements SpiBus {
      open = false;
      constructor(options: SoftSpiOptions) {
        world.spiOptions.push(options);
      }
      start(): void {
        if (world.openFailure !== undefined) throw world.openFailure;
        this.open = true;
        world.openBuses++;
        world.calls.spiOpen++;
      }
      close(): void {
        if (this.open) world.openBuses--;
        this.open = false;
        world.calls.spiClose++;
      }
    }
    class FakeMfrc522 implements Mfrc522RpiChip {
      private readonly bus: FakeSoftSpi;
      private selected = -1;
      constructor(spi: SpiBus) {
        this.bus = spi as FakeSoftSpi;
        this.bus.start(); // the real class calls spi.open()
      }
      private io(): void {
        assert.ok(this.bus.open, "the chip was used after its SPI bus was closed");
        if (world.fault === "throw") throw new Error("EIO: SPI transfer failed");
        if (world.fault === "throw-string") throw "Not initialized";
      }
      setResetPin(pin: number) {
        world.resets.push(pin);
        return this;
      }
      reset(): void {
        this.io();
        world.calls.softReset++;
        this.selected = -1;
      }
      readRegister(address: number): number {
        if (address === VERSION_REG) {
          world.calls.polls++;
          world.onPoll?.();
        }
        this.io();
        if (address !== VERSION_REG) return 0;
        if (world.fault === "version-00") return 0x00;
        if (world.fault === "version-ff") return 0xff;
        return world.version;
      }
      writeRegister(_address: number, _value: number): void {
        this.io();
      }
      findCard() {
        this.io();
        world.calls.findCard++;
        return world.card ? { status: true, bitSize: 0x10 } : { status: false, bitSize: 0 };
      }
      private frame(level: number): number[] {
        const levels = cascadeLevels(world.card ?? []);
        const four = levels[level] ?? [];
        const check = xor(four) ^ (world.corruptBccAtLevel === level ? 0x5a : 0);
        return [...four, check];
      }
      getUid() {
        this.io();
        world.calls.getUid++;
        if (!world.card) return { status: false, data: [] };
        const data = this.frame(0);
        // like the real library: status false when data[4] is not the XOR of data[0..3]
        const status = world.getUidIgnoresBcc || xor(data.slice(0, 4)) === data[4];
        return { status, data };
      }
      toCard(command: number, bits: number[]) {
        this.io();
        assert.equal(command, 0x0c, "only PCD_TRANSCEIVE is expected");
        const fail = { status: false, data: [], bitSize: 0 };
        if (!world.card) return fail;
        const levels = cascadeLevels(world.card);
        const level = SEL.indexOf(bits[0] ?? -1);
        if (level < 0 || level >= levels.length) return fail;
        if (bits[1] === 0x20) {
          // anticollision: only after the previous level was selected
          if (level !== this.selected + 1) return fail;
          return { status: true, data: this.frame(level), bitSize: 40 };
        }
        if (bits[1] === 0x70) {
          const body = bits.slice(0, 7);
          const crc = bits.slice(7);
          assert.deepEqual(crc, crcA(body), "SELECT must carry the CRC_A of its first 7 bytes");
          const expected = levels[level] ?? [];
          assert.deepEqual(body.slice(2, 6), expected, "SELECT must repeat the anticollision bytes");
          assert.equal(body[6], xor(expected), "SELECT must carry the BCC");
          this.selected = level;
          const sak = level < levels.length - 1 && !world.sakAlwaysComplete ? 0x04 : 0x08;
          return { status: true, data: [sak, ...crcA([sak])], bitSize: 0x18 };
        }
        return fail;
      }
      calculateCRC(data: number[]): number[] {
        this.io();
        return crcA(data);
      }
      stopCrypto(): void {
        this.io();
        world.calls.stopCrypto++;
      }
    }
    return { Mfrc522: FakeMfrc522, SoftSPI: FakeSoftSpi };
  }
}
