import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../../core/config.ts";

const TOKEN = "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ";

describe("parseConfig", () => {
  test("embedded defaults work with an empty environment", () => {
    const r = parseConfig({});
    assert.ok(r.ok);
    assert.equal(r.config.telegram.token, undefined);
    assert.equal(r.config.telegram.apiRoot, "https://api.telegram.org");
    assert.equal(r.config.roomId, "server-room");
    assert.equal(r.config.hardware, "auto");
    assert.equal(r.config.storage, "sqlite");
    assert.equal(r.config.sampling.intervalSeconds, 60);
    assert.equal(r.config.sampling.cron, "0 */1 * * * *");
    assert.deepEqual(r.config.thresholds.temperatureC, { warn: { min: 18, max: 27 }, critical: { min: 15, max: 30 } });
    assert.ok(r.config.dataDir.endsWith("/data"));
  });

  test("reads every variable", () => {
    const r = parseConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
      ADMIN_IDS: "11, 22",
      STAFF_IDS: "33",
      STAFF_CHAT_ID: "-1001234567890",
      ROOM_ID: "dc-2",
      DATA_DIR: "/tmp/seroma-x",
      HARDWARE: "sim",
      TIMEZONE: "Asia/Tokyo",
      OFFICE_HOURS: "mon-fri 08:00-18:00; sat 09:00-12:00",
      HOLIDAYS: "2026-12-25,2027-01-01",
      TEMP_RANGE: "19..26.5",
      SAMPLE_INTERVAL_SECONDS: "5",
      DEFAULT_LOCALE: "ja",
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = r.config;
    assert.equal(c.telegram.token, TOKEN);
    assert.equal(c.telegram.apiRoot, "http://127.0.0.1:8081");
    assert.deepEqual(c.telegram.adminIds, [11, 22]);
    assert.deepEqual(c.telegram.staffIds, [33]);
    assert.equal(c.telegram.staffChatId, -1001234567890);
    assert.equal(c.roomId, "dc-2");
    assert.equal(c.dataDir, "/tmp/seroma-x");
    assert.equal(c.officeHours.timeZone, "Asia/Tokyo");
    assert.deepEqual(c.officeHours.days[1], [{ start: 480, end: 1080 }]);
    assert.deepEqual(c.officeHours.days[6], [{ start: 540, end: 720 }]);
    assert.deepEqual(c.officeHours.days[0], []);
    assert.ok(c.officeHours.holidays.has("2026-12-25"));
    assert.deepEqual(c.thresholds.temperatureC.warn, { min: 19, max: 26.5 });
    assert.equal(c.sampling.cron, "*/5 * * * * *");
    assert.equal(c.defaultLocale, "ja");
  });

  test("lists every problem at once", () => {
    const r = parseConfig({
      TELEGRAM_BOT_TOKEN: "not-a-token",
      TELEGRAM_API_ROOT: "ftp://example",
      ADMIN_IDS: "1,abc",
      STAFF_CHAT_ID: "staff",
      ROOM_ID: "Server Room",
      HARDWARE: "pi",
      STORAGE: "mongo",
      TIMEZONE: "Mars/Olympus",
      OFFICE_HOURS: "mon-fri 19:00-07:00",
      HOLIDAYS: "christmas",
      TEMP_RANGE: "30..20",
      SAMPLE_INTERVAL_SECONDS: "1",
      DHT_PIN: "99",
    });
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    const fields = r.errors.map((e) => e.split(":")[0]);
    for (const f of [
      "TELEGRAM_BOT_TOKEN",
      "TELEGRAM_API_ROOT",
      "ADMIN_IDS",
      "STAFF_CHAT_ID",
      "ROOM_ID",
      "HARDWARE",
      "STORAGE",
      "TIMEZONE",
      "OFFICE_HOURS",
      "HOLIDAYS",
      "TEMP_RANGE",
      "SAMPLE_INTERVAL_SECONDS",
      "DHT_PIN",
    ]) {
      assert.ok(fields.includes(f), `expected a problem for ${f}, got:\n${r.errors.join("\n")}`);
    }
    assert.match(r.errors.find((e) => e.startsWith("SAMPLE_INTERVAL_SECONDS")) ?? "", /2 seconds/);
  });

  test("cross-field rules: critical band contains the warning band; a token needs an admin", () => {
    const r = parseConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TEMP_RANGE: "10..35", HUMIDITY_CRITICAL_RANGE: "35..90" });
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.split(":")[0]).sort(), [
      "ADMIN_IDS",
      "HUMIDITY_CRITICAL_RANGE",
      "TEMP_CRITICAL_RANGE",
    ]);
  });

  test("STORAGE=aws needs a region and a bucket; with them the backend is described", () => {
    const bad = parseConfig({ STORAGE: "aws", AWS_REGION: "mars-1" });
    assert.equal(bad.ok, false);
    assert.deepEqual(!bad.ok && bad.errors, ["AWS_REGION: is not an AWS region (e.g. eu-central-1)"]);
    const missing = parseConfig({ STORAGE: "aws" });
    assert.deepEqual(!missing.ok && missing.errors, [
      "AWS_REGION: required with STORAGE=aws (e.g. eu-central-1)",
      "S3_BUCKET: required with STORAGE=aws (the bucket npm run aws:setup created)",
    ]);
    const ok = parseConfig({
      STORAGE: "aws",
      AWS_REGION: "eu-central-1",
      S3_BUCKET: "acme-seroma",
      AWS_PREFIX: "acme",
    });
    assert.ok(ok.ok);
    assert.deepEqual(ok.config.aws, { region: "eu-central-1", prefix: "acme", bucket: "acme-seroma" });
    assert.equal(ok.config.backup.s3, undefined, "AWS storage has no local database backups to upload");
    const sqlite = parseConfig({ AWS_REGION: "eu-central-1", S3_BUCKET: "acme-seroma" });
    assert.ok(sqlite.ok);
    assert.equal(sqlite.config.aws, undefined);
    assert.deepEqual(sqlite.config.backup.s3, { region: "eu-central-1", bucket: "acme-seroma" });
  });

  test("empty strings count as unset", () => {
    const r = parseConfig({ TELEGRAM_BOT_TOKEN: "", STAFF_CHAT_ID: "", ROOM_ID: "" });
    assert.ok(r.ok);
    assert.equal(r.config.telegram.token, undefined);
    assert.equal(r.config.telegram.staffChatId, undefined);
    assert.equal(r.config.roomId, "server-room");
  });
});

describe("door and LCD settings", () => {
  test("defaults, and values read", () => {
    const d = parseConfig({});
    assert.ok(d.ok);
    assert.deepEqual(d.config.lcd, { cols: 16, rows: 2, i2cBus: 1, address: 0x27, messageMs: 5000 });
    assert.equal(d.config.door.enrollTimeoutMs, 60_000);
    const r = parseConfig({ LCD_SIZE: "20x4", LCD_I2C_ADDRESS: "0x3f", CARD_SPI_CE: "1", INVITE_TTL_MINUTES: "15" });
    assert.ok(r.ok);
    assert.deepEqual([r.config.lcd.cols, r.config.lcd.rows, r.config.lcd.address], [20, 4, 0x3f]);
    assert.equal(r.config.door.spiChip, 1);
    assert.equal(r.config.door.inviteTtlMs, 15 * 60_000);
  });

  test("bad values are each named", () => {
    const r = parseConfig({ LCD_SIZE: "40x2", LCD_I2C_ADDRESS: "0x99", CARD_SPI_CE: "2", ENROLL_TIMEOUT_SECONDS: "5" });
    assert.ok(!r.ok);
    const text = r.errors.join("\n");
    assert.match(text, /LCD_SIZE: must be 16x2 or 20x4/);
    assert.match(text, /LCD_I2C_ADDRESS: must lie within 0x03\.\.0x77/);
    assert.match(text, /CARD_SPI_CE/);
    assert.match(text, /ENROLL_TIMEOUT_SECONDS/);
    const junk = parseConfig({ LCD_I2C_ADDRESS: "twenty-seven" });
    assert.ok(!junk.ok);
    assert.match(junk.errors.join(), /LCD_I2C_ADDRESS: must be an I2C address/);
  });
});

describe("card reader driver settings", () => {
  test("defaults: the mfrc522 driver on /dev/spidev0.0; CARD_SPI_CE picks the default device", () => {
    const d = parseConfig({});
    assert.ok(d.ok);
    assert.equal(d.config.door.driver, "mfrc522");
    assert.equal(d.config.door.spiDevice, "/dev/spidev0.0");
    const ce1 = parseConfig({ CARD_SPI_CE: "1" });
    assert.ok(ce1.ok);
    assert.equal(ce1.config.door.spiDevice, "/dev/spidev0.1");
  });

  test("values read: the mfrc522-rpi driver by name, any device path (a udev symlink)", () => {
    const r = parseConfig({ CARD_DRIVER: "mfrc522-rpi", CARD_SPI_DEVICE: "/dev/rfid-reader" });
    assert.ok(r.ok);
    assert.equal(r.config.door.driver, "mfrc522-rpi");
    assert.equal(r.config.door.spiDevice, "/dev/rfid-reader");
    const same = parseConfig({ CARD_SPI_CE: "1", CARD_SPI_DEVICE: "/dev/spidev0.1" });
    assert.ok(same.ok);
  });

  test("bad values are each named: an unknown driver, a relative path, CE and device that disagree", () => {
    const r = parseConfig({ CARD_DRIVER: "rpio", CARD_SPI_DEVICE: "spidev0.0" });
    assert.ok(!r.ok);
    const text = r.errors.join("\n");
    assert.match(text, /CARD_DRIVER: must be one of: mfrc522, mfrc522-rpi/);
    assert.match(text, /CARD_SPI_DEVICE: must be a device path such as \/dev\/spidev0\.0/);
    const clash = parseConfig({ CARD_SPI_CE: "0", CARD_SPI_DEVICE: "/dev/spidev0.1" });
    assert.ok(!clash.ok);
    assert.match(clash.errors.join(), /CARD_SPI_DEVICE: \/dev\/spidev0\.1 is chip select CE1, but CARD_SPI_CE is 0/);
  });
});
