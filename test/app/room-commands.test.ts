/**
 * A room's answers to the hub (app/room-commands.ts): a clip too big for the hub to take is
 * refused with a sentence (the hub would drop its parts, and the asker hear nothing but a
 * timeout).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRoomCommands } from "../../app/room-commands.ts";
import type { AlertPipeline } from "../../core/alerts/pipeline.ts";
import type { CaptureService } from "../../core/camera/capture-service.ts";
import { silentLogger } from "../../core/logger.ts";
import { MEDIA_MAX_BYTES } from "../../core/rooms/commands.ts";

function withClipOf(bytes: number) {
  const capture = {
    driver: "sim",
    clip: async (seconds: number) => ({
      ok: true,
      shared: false,
      clip: { bytes: Buffer.alloc(bytes), at: 1, seconds, width: 640, height: 480, format: "mp4" },
    }),
  } as unknown as CaptureService;
  return createRoomCommands({
    roomId: "dc-1",
    alerts: { engine: { openIncidents: () => [] } } as unknown as AlertPipeline,
    capture,
    logger: silentLogger,
  });
}

describe("a room's answers to the hub", () => {
  test("a clip the hub can take goes with its bytes; a larger one is refused, saying why", async () => {
    const fits = await withClipOf(1024).answer({
      id: "a",
      name: "clip",
      args: { seconds: 2 },
      expiresAt: Date.now() + 1_000,
    });
    assert.equal(fits.result.kind, "video");
    assert.equal(fits.media?.length, 1024);
    await assert.rejects(
      withClipOf(MEDIA_MAX_BYTES + 1).answer({
        id: "b",
        name: "clip",
        args: { seconds: 60 },
        expiresAt: Date.now() + 1_000,
      }),
      /the clip is 48\.0 MB, more than the 48 MB the hub takes: ask for a shorter one/,
    );
  });
});
