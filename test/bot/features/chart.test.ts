import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import type { Reading } from "../../../core/climate/reading.ts";
import type { RecordedMessage } from "../../../local/bot-api/server.ts";
import { type ConsoleHarness, STAFF, STAFF_JA, startConsoleHarness } from "../../support/console-harness.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;

async function assertChartPhoto(reply: RecordedMessage): Promise<void> {
  assert.equal(reply.media?.kind, "photo", `a photo, got: ${reply.text ?? ""}`);
  assert.equal(reply.media?.filename, "climate.png");
  const bytes = reply.media?.bytes;
  assert.ok(bytes, "uploaded, not sent by URL");
  const meta = await sharp(bytes).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ["png", 1080, 810]);
}

describe("/chart end to end", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness();
  });
  after(async () => {
    await h.stop();
  });

  test("with nothing stored it says so instead of sending an empty chart", async () => {
    const reply = await h.ask(STAFF, "/chart");
    assert.equal(reply.media, undefined);
    assert.equal(reply.text, "No readings in the last 24 hours, so there is nothing to chart yet.");
  });

  test("default 24 h: a 1080x810 PNG with min/avg/max of the range in the caption", async () => {
    const now = h.clock.now().getTime(); // 2026-11-23 10:00 UTC
    const room = h.config.roomId;
    const rows: Reading[] = [];
    // Every 10 minutes over the last 24 hours: 20/24 °C and 40/50 % alternating (144 readings).
    for (let k = 0; k < 144; k++) {
      rows.push({ roomId: room, at: now - k * 10 * MIN, temperatureC: k % 2 ? 24 : 20, humidityPct: k % 2 ? 50 : 40 });
    }
    // Three days ago: a hot, dry spell (only in the 7-day chart).
    for (let k = 0; k < 6; k++) {
      rows.push({ roomId: room, at: now - 72 * HOUR + k * 10 * MIN, temperatureC: 31.5, humidityPct: 25 });
    }
    await h.storage.readings.addMany(rows);

    const reply = await h.ask(STAFF, "/chart");
    await assertChartPhoto(reply);
    const caption = reply.caption ?? "";
    assert.match(caption, /test-room · last 24 hours/);
    assert.match(caption, /2026-11-22 10:06 – 2026-11-23 10:00 \(UTC\)/);
    assert.match(caption, /Temperature: min 20\.0 · avg 22\.0 · max 24\.0 °C/);
    assert.match(caption, /Humidity: min 40\.0 · avg 45\.0 · max 50\.0 %/);
    assert.match(caption, /From 144 readings/);
    assert.equal(reply.parse_mode, "HTML");
    const action = h.api.calls.find((c) => c.method === "sendChatAction" && c.params.chat_id === STAFF.id);
    assert.equal(action?.params.action, "upload_photo", "shows 'sending a photo' while rendering");
  });

  test("/chart 6h covers the last six hours", async () => {
    const reply = await h.ask(STAFF, "/chart 6h");
    await assertChartPhoto(reply);
    const caption = reply.caption ?? "";
    assert.match(caption, /last 6 hours/);
    assert.match(caption, /2026-11-23 04:01 – 2026-11-23 10:00/);
    assert.match(caption, /From 36 readings/);
  });

  test("/chart 7d includes the older readings", async () => {
    const reply = await h.ask(STAFF, "/chart 7D");
    await assertChartPhoto(reply);
    const caption = reply.caption ?? "";
    assert.match(caption, /last 7 days/);
    assert.match(caption, /Temperature: min 20\.0 · avg [\d.]+ · max 31\.5 °C/);
    assert.match(caption, /Humidity: min 25\.0 ·/);
    assert.match(caption, /From 150 readings/);
  });

  test("in Japanese for a Japanese user", async () => {
    const reply = await h.ask(STAFF_JA, "/chart");
    await assertChartPhoto(reply);
    assert.match(reply.caption ?? "", /過去 24 時間/);
    assert.match(reply.caption ?? "", /温度: 最低 20\.0 · 平均 22\.0 · 最高 24\.0 °C/);
  });

  for (const bad of ["3h", "24", "<b>7d</b>", "6h 7d"]) {
    test(`bad range "${bad}" gets a clear message listing the valid ones`, async () => {
      const reply = await h.ask(STAFF, `/chart ${bad}`);
      assert.equal(reply.media, undefined);
      const text = reply.text ?? "";
      assert.match(text, /I could not read/);
      assert.ok(text.includes(`“${bad}”`), "argument echoed as typed (escaped in HTML)");
      assert.match(text, /6h, 24h, 7d/);
    });
  }

  test("a range with no readings says so", async () => {
    h.clock.advance(12 * HOUR); // the newest reading is now 12 hours old
    const reply = await h.ask(STAFF, "/chart 6h");
    assert.equal(reply.media, undefined);
    assert.equal(reply.text, "No readings in the last 6 hours, so there is nothing to chart yet.");
  });
});
