/**
 * The hub <-> room command messages (core/rooms/commands.ts): what one side writes, the other
 * reads back; anything else (it comes from another machine) is refused field by field; a photo
 * or clip travels in parts that fit AWS IoT Core's 128 KB messages.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  MEDIA_PART_BYTES,
  parseCommand,
  parseResponse,
  type RoomMediaPart,
  type RoomResponse,
  responseMessages,
} from "../../../core/rooms/commands.ts";

describe("room commands on the wire", () => {
  test("a command reads back with its arguments; bad arguments are dropped, bad commands refused", () => {
    const c = parseCommand(
      JSON.stringify({ id: "a-1", name: "clip", args: { seconds: 20, by: { id: 7, name: "Ada" } }, expiresAt: 5 }),
    );
    assert.deepEqual(c, { id: "a-1", name: "clip", args: { seconds: 20, by: { id: 7, name: "Ada" } }, expiresAt: 5 });
    assert.deepEqual(
      parseCommand(
        JSON.stringify({ id: "b", name: "server-check", args: { server: "../etc", seconds: 9999 }, expiresAt: 1 }),
      ),
      { id: "b", name: "server-check", expiresAt: 1 },
    );
    for (const bad of [
      "",
      "{",
      "null",
      JSON.stringify({ id: "x", name: "shutdown", expiresAt: 1 }),
      JSON.stringify({ id: "x", name: "status" }),
      JSON.stringify({ id: "x".repeat(101), name: "status", expiresAt: 1 }),
      JSON.stringify({ id: 5, name: "status", expiresAt: 1 }),
    ])
      assert.equal(parseCommand(bad), undefined, bad);
  });

  test("an answer with a photo: the answer, then parts of at most 64 KiB, each message under 128 KB", () => {
    const media = Buffer.alloc(3 * MEDIA_PART_BYTES + 10, 7);
    const messages = responseMessages({ id: "q", ok: true, result: { kind: "photo", at: 1, driver: "sim" } }, media);
    assert.equal(messages.length, 1 + 4);
    for (const m of messages) assert.ok(Buffer.byteLength(m) < 128 * 1024, `${Buffer.byteLength(m)} bytes`);
    const head = parseResponse(messages[0] as string) as RoomResponse;
    assert.deepEqual(head.media, { bytes: media.length, parts: 4 });
    const parts = messages.slice(1).map((m) => parseResponse(m) as RoomMediaPart);
    assert.deepEqual(Buffer.concat(parts.map((p) => p.data)), media);
    assert.deepEqual(
      parts.map((p) => p.part),
      [0, 1, 2, 3],
    );
  });

  test("answers from another machine are checked field by field", () => {
    const server = parseResponse(
      JSON.stringify({
        id: "s",
        ok: true,
        result: {
          kind: "server",
          spec: {
            name: "web1",
            address: "10.0.0.5",
            port: 22,
            user: "ops",
            hostKey: "SHA256:x",
            thresholds: { diskPct: 80 },
          },
          result: {
            host: "web1",
            at: 1,
            durationMs: 5,
            reachable: true,
            checks: {
              load: { ok: true, value: { load1: 1, load5: 1, load15: 1, cores: 4 } },
              memory: { ok: true, value: { totalBytes: "lots" } },
              disk: { ok: false, error: "df failed" },
            },
          },
        },
      }),
    ) as RoomResponse;
    assert.equal(server.result?.kind, "server");
    const checks = server.result?.kind === "server" ? server.result.result?.checks : undefined;
    assert.deepEqual(Object.keys(checks ?? {}).sort(), ["disk", "load"], "the malformed memory check is dropped");
    for (const bad of [
      { id: "x", ok: true, result: { kind: "card", uid: "<script>" } },
      { id: "x", ok: true, result: { kind: "status", status: { room: "a", at: "now", open: [] } } },
      { id: "x", ok: true, result: { kind: "teleport" } },
      { id: "x", ok: true, result: { kind: "access", entries: [{ at: 1, cardUid: "<b>", decision: "allowed" }] } },
      { id: "x", ok: true, result: { kind: "access", entries: [{ at: 1, cardUid: "0A0B0C0D", decision: "waved" }] } },
      { id: "x", ok: true, media: { bytes: 10, parts: 3 } },
      { id: "x", ok: true, media: { bytes: 100 * 1024 * 1024, parts: 1600 } },
      { id: "x", part: -1, data: "AA==" },
      { id: "x", part: 0, data: Buffer.alloc(MEDIA_PART_BYTES + 1).toString("base64") },
    ])
      assert.equal(parseResponse(JSON.stringify(bad)), undefined, JSON.stringify(bad));
    assert.deepEqual(
      parseResponse(
        JSON.stringify({
          id: "a",
          ok: true,
          result: {
            kind: "access",
            entries: [{ at: 1, cardUid: "0A0B0C0D", decision: "wrong-room", staffName: "Ada" }],
          },
        }),
      ),
      {
        id: "a",
        ok: true,
        result: { kind: "access", entries: [{ at: 1, cardUid: "0A0B0C0D", decision: "wrong-room", staffName: "Ada" }] },
      },
    );
    assert.deepEqual(parseResponse(JSON.stringify({ id: "f", ok: false, error: "no camera", code: "unavailable" })), {
      id: "f",
      ok: false,
      error: "no camera",
      code: "unavailable",
    });
  });
});
