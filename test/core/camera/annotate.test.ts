import assert from "node:assert/strict";
import { describe, test } from "node:test";
import sharp from "sharp";
import {
  annotateSnapshot,
  annotationText,
  fitForTelegram,
  localTimestamp,
  TELEGRAM_PHOTO,
} from "../../../core/camera/annotate.ts";

const AT = Date.parse("2026-11-23T01:02:03Z");

describe("snapshot annotation", () => {
  test("the caption line: room, local time with zone, temperature, humidity, label", () => {
    assert.equal(localTimestamp(AT, "Asia/Tokyo"), "2026-11-23 10:02:03");
    assert.equal(
      annotationText({
        roomId: "rack-a",
        at: AT,
        timeZone: "Asia/Tokyo",
        temperatureC: 22.44,
        humidityPct: 45.6,
        label: "MOTION",
      }),
      "rack-a · 2026-11-23 10:02:03 Asia/Tokyo · 22.4 °C · 46 %RH · MOTION",
    );
    assert.equal(
      annotationText({ roomId: "r", at: AT, timeZone: "UTC", temperatureC: Number.NaN }),
      "r · 2026-11-23 01:02:03 UTC",
      "no reading, no made-up values",
    );
  });

  test("sizes are fitted to Telegram's photo limits, keeping the aspect ratio", () => {
    assert.deepEqual(fitForTelegram(1280, 720), { width: 1280, height: 720 });
    assert.deepEqual(fitForTelegram(4056, 3040), { width: 2560, height: 1919 });
    assert.deepEqual(fitForTelegram(720, 5000), { width: 369, height: 2560 });
  });

  test("a full-resolution frame comes out as a JPEG within limits, with the caption in EXIF and drawn", async () => {
    const frame = await sharp({ create: { width: 4056, height: 3040, channels: 3, background: "#e0e0e0" } })
      .jpeg()
      .toBuffer();
    const out = await annotateSnapshot(
      frame,
      { roomId: "x<&>", at: AT, timeZone: "UTC", temperatureC: 30 },
      { quality: 70 },
    );
    const meta = await sharp(out.jpeg).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ["jpeg", 2560, 1919]);
    assert.ok(out.jpeg.length < TELEGRAM_PHOTO.maxBytes);
    assert.ok(out.width + out.height <= TELEGRAM_PHOTO.maxSideSum);
    assert.ok(
      meta.exif?.toString("latin1").includes("x<&> | 2026-11-23 01:02:03 UTC | 30.0 C"),
      "SVG-special characters survive",
    );
    const grey = await sharp(out.jpeg).greyscale().raw().toBuffer();
    const at = (x: number, y: number) => grey[y * 2560 + x] ?? 0;
    assert.ok(at(2000, 1915) < 120, "the bar darkens the bottom");
    assert.ok(at(2000, 100) > 200, "the rest of the picture is untouched");
  });

  test("quality is honoured: lower quality, smaller file", async () => {
    const noisy = await sharp({
      create: {
        width: 640,
        height: 360,
        channels: 3,
        background: "#808080",
        noise: { type: "gaussian", mean: 128, sigma: 40 },
      },
    })
      .png()
      .toBuffer();
    const input = { roomId: "r", at: AT, timeZone: "UTC" };
    const low = await annotateSnapshot(noisy, input, { quality: 20 });
    const high = await annotateSnapshot(noisy, input, { quality: 95 });
    assert.ok(low.jpeg.length < high.jpeg.length / 2, `${low.jpeg.length} vs ${high.jpeg.length}`);
  });

  test("something that is not an image is refused", async () => {
    await assert.rejects(
      annotateSnapshot(Buffer.from("not a jpeg"), { roomId: "r", at: AT, timeZone: "UTC" }, { quality: 80 }),
    );
  });
});
