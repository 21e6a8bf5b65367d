/**
 * The live view over HTTP: serveMjpeg on a real http.Server, read by a multipart client.
 * Parts and their headers, the 503 refusals, a client going away, the camera failing
 * mid-stream, and a client that does not read (bounded memory, then cut off).
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { Camera, StreamOptions } from "../../../core/camera/camera.ts";
import { createLiveCamera, type LiveCamera, type LiveCameraOptions } from "../../../core/camera/live-camera.ts";
import { silentLogger } from "../../../core/logger.ts";
import { isJpeg } from "../../../hardware/camera/media.ts";
import { createSimulatedCamera } from "../../../hardware/camera/simulator.ts";
import { MJPEG_CONTENT_TYPE, type ServeMjpegOptions, serveMjpeg } from "../../../web/live/mjpeg.ts";
import { eventually } from "../../hardware/camera/fakes.ts";
import { type MjpegPart, openMjpeg } from "../../support/mjpeg-client.ts";

interface Served {
  url: string;
  live: LiveCamera;
  /** The server's responses, to look at their buffers. */
  responses: http.ServerResponse[];
  close(): Promise<void>;
}

async function serve(
  camera: Camera,
  over: Partial<LiveCameraOptions> = {},
  opts: ServeMjpegOptions = {},
): Promise<Served> {
  const live = createLiveCamera({
    camera,
    fps: 10,
    maxViewers: 2,
    logger: silentLogger,
    lingerMs: 100,
    retryMs: { first: 100, max: 200 },
    ...over,
  });
  const responses: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    responses.push(res);
    void serveMjpeg(live, req, res, opts);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/live.mjpeg`,
    live,
    responses,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await live.camera.close();
    },
  };
}

const sim = () => createSimulatedCamera({ width: 320, height: 180, timeoutMs: 500 });

describe("serveMjpeg", () => {
  test("200 multipart/x-mixed-replace; each part a JPEG with Content-Type, Content-Length and X-Captured-At", async () => {
    const s = await serve(sim());
    const parts: MjpegPart[] = [];
    const r = await openMjpeg(s.url, (p) => parts.push(p));
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], MJPEG_CONTENT_TYPE);
    assert.equal(r.headers["content-type"], "multipart/x-mixed-replace; boundary=frame");
    assert.match(String(r.headers["cache-control"]), /no-store/);
    assert.ok(await eventually(() => parts.length >= 3));
    for (const p of parts.slice(0, 3)) {
      assert.equal(p.headers["content-type"], "image/jpeg");
      assert.equal(Number(p.headers["content-length"]), p.body.length);
      assert.ok(isJpeg(p.body));
      assert.ok(Math.abs(p.capturedAt - Date.now()) < 5000, "captured now (epoch ms)");
      assert.ok(p.receivedAt >= p.capturedAt);
    }
    assert.ok((parts[2]?.capturedAt ?? 0) > (parts[0]?.capturedAt ?? 0));
    r.close();
    await s.close();
  });

  test("503 live-busy at the viewer limit; 503 live-unavailable without a camera that streams", async () => {
    const s = await serve(sim(), { maxViewers: 1 });
    const first = await openMjpeg(s.url);
    assert.equal(first.status, 200);
    const second = await openMjpeg(s.url);
    assert.equal(second.status, 503);
    assert.match(String(second.headers["content-type"]), /application\/json/);
    assert.equal((second.json as { ok: boolean; code: string; error: string }).code, "live-busy");
    assert.equal((second.json as { ok: boolean }).ok, false);
    assert.match((second.json as { error: string }).error, /at most 1/);
    first.close();
    await s.close();

    const base = sim();
    const still: Camera = {
      driver: "still-only",
      width: 320,
      height: 180,
      snapshot: () => base.snapshot(),
      clip: (n) => base.clip(n),
      close: () => base.close(),
    };
    const none = await serve(still);
    const refused = await openMjpeg(none.url);
    assert.equal(refused.status, 503);
    assert.deepEqual(refused.json, {
      ok: false,
      code: "live-unavailable",
      error: "the still-only camera has no live view",
    });
    await none.close();
  });

  test("a camera that fails before its first frame: 503 live-unavailable saying why", async () => {
    const camera = sim();
    camera.unplug();
    const s = await serve(camera);
    const r = await openMjpeg(s.url);
    assert.equal(r.status, 503);
    assert.equal((r.json as { code: string }).code, "live-unavailable");
    assert.match((r.json as { error: string }).error, /unplugged/);
    assert.ok(await eventually(() => s.live.stats().viewers === 0));
    await s.close();
  });

  test("the client going away ends the viewer; the capture stops after the linger", async () => {
    const camera = sim();
    const s = await serve(camera);
    let got = 0;
    const r = await openMjpeg(s.url, () => got++);
    assert.ok(await eventually(() => got >= 2));
    assert.equal(s.live.stats().viewers, 1);
    r.close();
    assert.ok(await eventually(() => s.live.stats().viewers === 0), "the viewer left");
    assert.ok(await eventually(() => !s.live.stats().capturing && !camera.streaming), "the capture stopped");
    await s.close();
  });

  test("the camera failing mid-stream ends the response cleanly (closing boundary); the viewer leaves", async () => {
    const camera = sim();
    const s = await serve(camera);
    let got = 0;
    const r = await openMjpeg(s.url, () => got++);
    assert.ok(await eventually(() => got >= 2));
    camera.fail("failed", Number.POSITIVE_INFINITY);
    const end = await r.done;
    assert.equal(end.ended, true, "the body ended with --frame--");
    assert.ok(await eventually(() => s.live.stats().viewers === 0));
    await s.close();
  });

  test("a client that does not read: at most one part waits in the server (frames are skipped), then it is cut off", async () => {
    // 1 MB frames at 20 fps: the kernel's socket buffers fill within a second
    const big = Buffer.alloc(1024 * 1024, 0x11);
    big[0] = 0xff;
    big[1] = 0xd8;
    big[big.length - 2] = 0xff;
    big[big.length - 1] = 0xd9;
    const fat: Camera = {
      driver: "fat",
      width: 1,
      height: 1,
      snapshot: async () => ({ jpeg: big, width: 1, height: 1, at: Date.now() }),
      clip: () => Promise.reject(new Error("no clips")),
      close: async () => {},
      stream: (o: StreamOptions) =>
        new Promise<void>((resolve) => {
          const timer = setInterval(() => o.onFrame({ jpeg: big, width: 1, height: 1, at: Date.now() }), 50);
          o.signal.addEventListener("abort", () => {
            clearInterval(timer);
            resolve();
          });
        }),
    };
    const s = await serve(fat, { fps: 20 }, { stallMs: 2500 });
    const r = await openMjpeg(s.url);
    // Cleaned up whatever happens: an open server or stream would keep the test file running.
    try {
      r.response.pause(); // reads nothing more
      let maxBuffered = 0;
      let waitedForDrain = false;
      const rssBefore = process.memoryUsage().rss;
      const until = Date.now() + 2000;
      while (Date.now() < until) {
        for (const res of s.responses) {
          // Node 22 counts a part handed to a full socket in neither length: writableNeedDrain says it waits.
          maxBuffered = Math.max(maxBuffered, res.writableLength, res.socket?.writableLength ?? 0);
          waitedForDrain ||= res.writableNeedDrain;
        }
        await delay(20);
      }
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      assert.ok(waitedForDrain, "the client's socket was full (backpressure reached the server)");
      assert.ok(maxBuffered <= big.length + 256, `at most one part buffered, saw ${maxBuffered} bytes`);
      assert.ok(rssGrowth < 30 * 1024 * 1024, `memory stays flat (${(rssGrowth / 2 ** 20).toFixed(1)} MB more)`);
      const skipped = s.live.stats();
      assert.ok(skipped.frames >= 20, `the camera went on (${skipped.frames} frames)`);
      assert.ok(await eventually(() => s.live.stats().viewers === 0, 4000), "cut off after stallMs");
      assert.ok(s.responses[0]?.destroyed);
    } finally {
      r.close();
      await s.close();
    }
  });
});
