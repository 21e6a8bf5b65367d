/**
 * Snapshot button -> sendPhoto upload start, through the real pieces: the local Bot API
 * server on 127.0.0.1 delivering a callback query by long polling, the grammY bot, the
 * capture service (simulated camera at 1280x720 drawing its room scene, annotation with
 * sharp, the media store writing the file and its index row) and the sendPhoto request.
 *
 * Timed from the press (the update queued at the Bot API) to the moment the sendPhoto
 * request reaches the Bot API (its arrival time as recorded by the server).
 */
import { inlineButtons } from "../../local/bot-api/server.ts";
import { privateChat, STAFF, startConsoleHarness } from "../../test/support/console-harness.ts";
import { type Metric, summarize } from "../stats.ts";

export async function snapshotButtonBench(opts: { presses: number }): Promise<Metric[]> {
  const h = await startConsoleHarness({ env: { CAMERA_SIZE: "1280x720" } });
  try {
    await h.job.sampleNow();
    const chat = privateChat(STAFF);
    const status = await h.ask(STAFF, "/status");
    if (!inlineButtons(status).some((b) => b.text === "📷 Snapshot")) throw new Error("no Snapshot button on /status");
    const samples: number[] = [];
    const warmup = 5;
    for (let i = 0; i < opts.presses + warmup; i++) {
      h.clock.advance(1_000);
      const since = h.api.mark();
      const t0 = Date.now();
      h.api.pressButton(STAFF, status, { text: "📷 Snapshot" });
      const call = await h.api.waitForCall("sendPhoto", (c) => String(c.params.chat_id) === String(chat.id), {
        since,
        timeoutMs: 10_000,
      });
      if (i >= warmup) samples.push(call.at - t0);
      await h.capture.idle();
      await h.api.waitForIdle();
    }
    const s = summarize(samples);
    const media = await h.storage.media.usage();
    return [
      {
        scenario: "snapshot-button",
        metric: "press -> sendPhoto start p50 (1280x720, sim)",
        value: s.p50,
        unit: "ms",
        target: { op: "<", value: 150 },
      },
      { scenario: "snapshot-button", metric: "press -> sendPhoto start p99", value: s.p99, unit: "ms" },
      {
        scenario: "snapshot-button",
        metric: "stored snapshot size (mean)",
        value: media.bytes / media.count / 1024,
        unit: "KiB",
      },
    ];
  } finally {
    await h.stop();
  }
}
