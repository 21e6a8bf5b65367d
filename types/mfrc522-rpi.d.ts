/**
 * Types for mfrc522-rpi 2.1 (an optionalDependency with no types of its own), written from
 * its index.js. Present whether or not the package installed, so `tsc` stays green
 * everywhere; only hardware/cards/mfrc522-rpi.ts imports it.
 *
 * The package is CommonJS (`module.exports = MFRC522`): the ESM import exposes the class as
 * `default`. It drives the chip through an SPI object it is given (its examples use
 * rpi-softspi, which bit-bangs SPI on GPIO pins through rpio, physical pin numbers) and
 * opens the reset pin with rpio itself. Every method is synchronous; status `true` is OK.
 */
declare module "mfrc522-rpi" {
  /** What the class needs from its SPI object (rpi-softspi's SoftSPI provides it). */
  export interface SpiBus {
    open(): unknown;
    write(data: Uint8Array): unknown;
    /** Full-duplex transfer; returns the bytes read, one per byte written. */
    transfer(data: Uint8Array): number[];
  }

  export interface TransceiveResult {
    status: boolean;
    data: number[];
    bitSize: number;
  }

  export default class MFRC522 {
    /** Stores the SPI object and calls its open(). */
    constructor(spi: SpiBus);
    spi: SpiBus;
    /** Opens `pin` (rpio numbering, physical by default) and holds it low for 50 ms (blocking): a hard reset. */
    setResetPin(pin?: number): this;
    setBuzzerPin(pin: number): this;
    /** Soft reset and timer/antenna setup; the library's example calls it before every scan. */
    reset(): void;
    writeRegister(address: number, value: number): void;
    readRegister(address: number): number;
    setRegisterBitMask(register: number, mask: number): void;
    clearRegisterBitMask(register: number, mask: number): void;
    antennaOn(): void;
    antennaOff(): void;
    toCard(command: number, bitsToSend: number[]): TransceiveResult;
    /** REQA (REQIDL); status true when a card answered with a 16-bit ATQA. `null`s while the buzzer cycles. */
    findCard(): { status: boolean | null; bitSize: number | null };
    /** Anticollision, cascade level 1 only: data = 4 bytes + BCC; status false on a BCC mismatch. */
    getUid(): { status: boolean; data: number[] };
    calculateCRC(data: number[]): number[];
    /** SELECT (cascade level 1) with uid[0..4]; returns the SAK byte, 0 on failure. */
    selectCard(uid: number[]): number;
    authenticate(address: number, key: number[], uid: number[]): boolean;
    stopCrypto(): void;
    getDataForBlock(address: number): number[];
    writeDataToBlock(address: number, sixteenBits: number[]): void;
    writeAuthenticationKey(address: number, newKeyA: number[]): boolean | undefined;
  }
}
