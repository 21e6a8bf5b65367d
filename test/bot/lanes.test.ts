/**
 * Long work never freezes a chat (issue 12). Updates of one chat are handled in order, so
 * work that takes seconds (a 30 s clip, a server that never answers, a backup) runs outside
 * the chat's update lane: while it is held open, other people in the same group get their
 * buttons answered and their commands served; the work then finishes and reports in place.
 * Shutdown while a clip is held: stop completes, and nothing is written afterwards.
 *
 * No timing assertions: the long work is held open by the test (a camera wrapper, a silent
 * TCP server, a storage wrapper) until the test has seen the other chat traffic served.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, afterEach, before, describe, test } from "node:test";
import type { Camera } from "../../core/camera/camera.ts";
import { createLogger } from "../../core/logger.ts";
import type { Storage } from "../../core/storage.ts";
import { findFfmpeg } from "../../hardware/camera/ffmpeg.ts";
import type { SimulatedCamera } from "../../hardware/camera/simulator.ts";
import { inlineButtons, type RecordedMessage, type TestChat, type TestUser } from "../../local/bot-api/server.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { botChat } from "../support/bot-chat.ts";
import {
  ADMIN,
  type ConsoleHarness,
  STAFF,
  STAFF_GROUP,
  STAFF_JA,
  startConsoleHarness,
} from "../support/console-harness.ts";
import { generateEd25519KeyPair, startSilentTcpServer } from "../support/sshd.ts";

const { botMessages, expectBot } = botChat({ timeoutMs: 20_000 });

async function say(h: ConsoleHarness, user: TestUser, text: string, probe: RegExp, chat = STAFF_GROUP) {
  const from = botMessages(h, chat).length;
  h.api.sendMessage(user, chat, text);
  return expectBot(h, chat, probe, from);
}

/** The message as it is now (edits applied). */
const current = (h: ConsoleHarness, chat: TestChat, m: RecordedMessage) =>
  h.api.messages(chat.id).find((x) => x.message_id === m.message_id);

const gates: Array<{ release(): void }> = [];

/** A gate a test holds open: `isHeld` once the work reaches it, `release()` lets it go on. */
function gate() {
  let release: () => void = () => undefined;
  const open = new Promise<void>((r) => {
    release = r;
  });
  let isOpen = false;
  let isHeld = false;
  const g = {
    get isHeld() {
      return isHeld;
    },
    get isOpen() {
      return isOpen;
    },
    release() {
      isOpen = true;
      release();
    },
    async pass() {
      isHeld = true;
      await open;
    },
  };
  gates.push(g);
  return g;
}
type Gate = ReturnType<typeof gate>;

/** A camera whose next clip is recorded, then held (bytes ready) until the gate opens. */
function holdingCamera(next: () => Gate | undefined) {
  return (camera: SimulatedCamera): Camera => ({
    driver: camera.driver,
    width: camera.width,
    height: camera.height,
    snapshot: () => camera.snapshot(),
    async clip(seconds, o) {
      const clip = await camera.clip(seconds, o);
      await next()?.pass();
      return clip;
    },
    close: () => camera.close(),
  });
}

const isClip = (m: RecordedMessage) => m.media?.kind === "video" || m.media?.kind === "animation";
const callIndex = (h: ConsoleHarness, probe: (c: (typeof h.api.calls)[number]) => boolean) =>
  h.api.calls.findIndex(probe);

describe("lanes: long work runs outside the chat's update lane", { timeout: 120_000 }, () => {
  let h: ConsoleHarness;
  let clipGate: Gate | undefined;
  let backupGate: Gate | undefined;
  let climateGate: Gate | undefined;
  let silent: Awaited<ReturnType<typeof startSilentTcpServer>>;

  before(async () => {
    silent = await startSilentTcpServer();
    const dir = mkdtempSync(join(tmpdir(), "seroma-lanes-key-"));
    writeFileSync(join(dir, "id"), generateEd25519KeyPair().private, { mode: 0o600 });
    h = await startConsoleHarness({
      env: {
        CAMERA_SIZE: "320x240",
        SSH_KEY_FILE: join(dir, "id"),
        // Long enough that only the test ends the check (by closing the silent server).
        SSH_CONNECT_TIMEOUT_SECONDS: "120",
      },
      wrapCamera: holdingCamera(() => {
        const g = clipGate;
        clipGate = undefined;
        return g;
      }),
      wrapClimate: (sensor) => ({
        driver: sensor.driver,
        async read() {
          const g = climateGate;
          climateGate = undefined;
          await g?.pass(); // a DHT22 that retries takes up to ~30 s
          return sensor.read();
        },
        close: () => sensor.close(),
      }),
      wrapRoomStorage: (s: Storage): Storage => ({
        ...s,
        async backup(dir, at) {
          const g = backupGate;
          backupGate = undefined;
          await g?.pass();
          if (!s.backup) throw new Error("no backup");
          return s.backup(dir, at);
        },
      }),
    });
    await h.job.sampleNow();
  });
  after(async () => {
    for (const g of gates) g.release(); // a failed test must not leave work held
    await silent?.stop();
    await h?.stop();
  });
  afterEach(async () => {
    for (const g of gates) g.release(); // a failed test must not leave work held for the next
    await h.background.idle();
    await h.capture.idle();
    await h.api.waitForIdle();
  });

  test("/clip 30 held in the group: an alert's Acknowledge pressed by someone else is answered and edited meanwhile", async () => {
    const held = gate();
    clipGate = held;
    const from = botMessages(h, STAFF_GROUP).length;
    h.api.sendMessage(STAFF, STAFF_GROUP, "/clip 30");
    const progress = await expectBot(h, STAFF_GROUP, /Recording 30 s/, from);
    await h.api.waitFor(() => held.isHeld, 20_000); // the clip is recorded and held: the capture has not returned

    // An unknown card at the door: its alert lands in the same group.
    assert.equal(h.reader.tap("0BADCAFE"), true);
    await h.door.idle();
    const alert = await expectBot(h, STAFF_GROUP, /Unknown card 0B:AD:CA:FE at the door/, from);
    const answers = h.api.callbackAnswers.length;
    h.api.pressButton(ADMIN, alert, { text: "✔️ Acknowledge" });
    const answer = await h.api.waitFor(() => h.api.callbackAnswers.slice(answers).find(Boolean));
    assert.equal(answer.text, "Acknowledged.");
    const acked = await h.api.waitFor(() => {
      const m = current(h, STAFF_GROUP, alert);
      return m && /Acknowledged by Ada/.test(m.text ?? m.caption ?? "") ? m : undefined;
    });
    assert.ok(acked.edits >= 1);
    // All of that while the clip was still held: nothing sent yet, the progress not final.
    assert.equal(held.isOpen, false);
    assert.equal(
      botMessages(h, STAFF_GROUP).filter(isClip).length,
      0,
      "no clip was sent before the Acknowledge was answered",
    );
    assert.doesNotMatch(current(h, STAFF_GROUP, progress)?.text ?? "", /sent/);

    held.release();
    const clip = await expectBot(h, STAFF_GROUP, isClip, from);
    assert.match(clip.caption ?? "", /test-room · .* · 30 s/);
    await h.api.waitFor(() => /Clip of 30 s sent/.test(current(h, STAFF_GROUP, progress)?.text ?? ""));
    const ackAt = callIndex(h, (c) => c.method === "answerCallbackQuery" && c.params.text === "Acknowledged.");
    const clipAt = callIndex(h, (c) => c.method === "sendVideo" || c.method === "sendAnimation");
    assert.ok(ackAt >= 0 && ackAt < clipAt, "the Acknowledge was answered before the clip was sent");
  });

  test("/server on a host that never answers the SSH handshake: /status and Check now are served meanwhile", async () => {
    await h.storage.hosts.add("test-room", {
      name: "mute",
      address: "127.0.0.1",
      port: silent.port,
      user: "seroma",
      hostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      checks: ["uptime"],
      services: [],
      thresholds: { diskPct: 90, loadPerCore: 100, memoryPct: 95 },
    });
    const list = await say(h, STAFF, "/servers", /1 server · test-room/);
    const from = botMessages(h, STAFF_GROUP).length;
    h.api.sendMessage(STAFF, STAFF_GROUP, "/server mute");
    const progress = await expectBot(h, STAFF_GROUP, /Checking mute/, from);
    await h.api.waitFor(() => silent.accepted() >= 1); // connected; the server says nothing

    const status = await say(h, STAFF_JA, "/status", /test-room/);
    assert.match(status.text ?? "", /°C/);
    const answers = h.api.callbackAnswers.length;
    h.api.pressButton(ADMIN, list, { text: "🔄 mute" });
    const answer = await h.api.waitFor(() => h.api.callbackAnswers.slice(answers).find(Boolean));
    assert.equal(answer.text, "Checking mute…");
    // Still waiting for the handshake: the progress message is as it was.
    assert.match(current(h, STAFF_GROUP, progress)?.text ?? "", /Checking mute/);
    assert.equal(current(h, STAFF_GROUP, progress)?.edits, 0);

    await silent.stop(); // the host hangs up: both checks end
    const done = await h.api.waitFor(() => {
      const m = current(h, STAFF_GROUP, progress);
      return m && m.edits > 0 ? m : undefined;
    }, 20_000);
    assert.match(done.text ?? "", /🔴/);
    assert.match(done.text ?? "", /🔴 unreachable: mute .*(handshake|closed the connection)/);
    assert.deepEqual(
      inlineButtons(done).map((b) => b.text),
      ["🔄 mute", "ℹ️ mute"],
    );
    // The button's check reports too (as today: a progress message that becomes the details).
    await h.api.waitFor(
      () =>
        botMessages(h, STAFF_GROUP)
          .slice(from)
          .filter((m) => /🔴/.test(m.text ?? "")).length >= 2,
      20_000,
    );
    const statusAt = callIndex(
      h,
      (c) =>
        c.method === "sendMessage" &&
        Number(c.params.chat_id) === STAFF_GROUP.id &&
        (c.result as { message_id?: number } | undefined)?.message_id === status.message_id,
    );
    const doneAt = h.api.calls.findLastIndex(
      (c) => c.method === "editMessageText" && c.params.message_id === progress.message_id,
    );
    assert.ok(statusAt >= 0 && statusAt < doneAt, "/status was answered before the check ended");
  });

  test("/backup held: a Refresh pressed in the same group is answered meanwhile; the progress becomes the result", async () => {
    const status = await say(h, STAFF, "/status", /test-room/);
    const held = gate();
    backupGate = held;
    const from = botMessages(h, STAFF_GROUP).length;
    h.api.sendMessage(ADMIN, STAFF_GROUP, "/backup");
    await h.api.waitFor(() => held.isHeld, 20_000);
    const answers = h.api.callbackAnswers.length;
    h.api.pressButton(STAFF, status, { text: "🔄 Refresh" });
    const answer = await h.api.waitFor(() => h.api.callbackAnswers.slice(answers).find(Boolean));
    assert.match(answer.text ?? "", /Fresh reading|Already the latest/);
    assert.equal(
      botMessages(h, STAFF_GROUP)
        .slice(from)
        .some((m) => /Backup written/.test(m.text ?? "")),
      false,
    );
    held.release();
    const result = await expectBot(h, STAFF_GROUP, /Backup written: seroma-\d{8}-\d{6}\.db/, from);
    const progress = botMessages(h, STAFF_GROUP).slice(from)[0];
    assert.equal(progress?.message_id, result.message_id, "the progress message became the result");
    assert.ok(result.edits >= 1);
  });

  test("Refresh while the sensor takes long: answered at once, the status edited when the reading comes", async () => {
    const status = await say(h, STAFF, "/status", /test-room/);
    h.clock.advance(60_000); // the last reading is old: Refresh samples anew
    h.sensor.set({ temperatureC: 26.4, humidityPct: 41 });
    const held = gate();
    climateGate = held;
    const answers = h.api.callbackAnswers.length;
    h.api.pressButton(STAFF, status, { text: "🔄 Refresh" });
    const answer = await h.api.waitFor(() => h.api.callbackAnswers.slice(answers).find(Boolean));
    assert.equal(answer.text, "Taking a fresh reading…");
    assert.equal(held.isHeld, true, "answered while the reading was still being taken");
    // The group is served meanwhile.
    await say(h, ADMIN, "/history 1", /test-room · the latest reading \(UTC\)/);
    assert.equal(current(h, STAFF_GROUP, status)?.edits, 0);
    held.release();
    const edited = await h.api.waitFor(() => {
      const m = current(h, STAFF_GROUP, status);
      return m && m.edits > 0 ? m : undefined;
    });
    assert.match(edited.text ?? "", /26\.4 °C/);
    h.sensor.release();
  });

  test("background work Telegram refuses: the progress message says something went wrong; the chat goes on", async () => {
    h.api.failNext(findFfmpeg() ? "sendVideo" : "sendAnimation", {
      error_code: 400,
      description: "Bad Request: VIDEO_CONTENT_TYPE_INVALID",
    });
    const progress = await say(h, STAFF, "/clip 1", /Recording 1 s/);
    const told = await h.api.waitFor(() => {
      const m = current(h, STAFF_GROUP, progress);
      return m && /Something went wrong on my side/.test(m.text ?? "") ? m : undefined;
    }, 20_000);
    assert.doesNotMatch(told.text ?? "", /VIDEO_CONTENT_TYPE/, "internals are not shown");
    await say(h, STAFF, "/status", /test-room/);
  });

  test("a viewer's button press still gets the refusal while a clip is recording", async () => {
    const held = gate();
    clipGate = held;
    const status = await say(h, STAFF, "/status", /test-room/);
    const from = botMessages(h, STAFF_GROUP).length;
    h.api.sendMessage(STAFF, STAFF_GROUP, "/clip 2");
    await h.api.waitFor(() => held.isHeld, 20_000);
    const viewer: TestUser = { id: 4242, first_name: "Guest", language_code: "en" };
    const answers = h.api.callbackAnswers.length;
    h.api.pressButton(viewer, status, { text: "📷 Snapshot" });
    const answer = await h.api.waitFor(() => h.api.callbackAnswers.slice(answers).find(Boolean));
    assert.equal(answer.show_alert, true);
    held.release();
    await expectBot(h, STAFF_GROUP, isClip, from);
  });
});

describe("lanes: shutdown while a clip is held", () => {
  test("stop completes; the clip finishing afterwards is neither stored nor sent, and nothing fails", {
    timeout: 60_000,
  }, async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        cb();
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on("unhandledRejection", onUnhandled);
    const held = gate();
    let armed: Gate | undefined = held;
    const h = await startConsoleHarness({
      env: { CAMERA_SIZE: "320x240" },
      logger: createLogger("info", sink),
      wrapCamera: holdingCamera(() => {
        const g = armed;
        armed = undefined;
        return g;
      }),
    });
    let stopped = false;
    try {
      const mediaDir = join(h.config.dataDir, "media");
      const files = () => (existsSync(mediaDir) ? readdirSync(mediaDir, { recursive: true }).length : 0);
      const before = files();
      const from = botMessages(h, STAFF_GROUP).length;
      h.api.sendMessage(STAFF, STAFF_GROUP, "/clip 5");
      const progress = await expectBot(h, STAFF_GROUP, /Recording 5 s/, from);
      await h.api.waitFor(() => held.isHeld, 20_000);

      await h.stop(); // completes although the clip is held
      stopped = true;
      // The one who asked was told, in the progress message.
      assert.match(current(h, STAFF_GROUP, progress)?.text ?? "", /restarting/);
      const calls = h.api.calls.length;

      held.release(); // the camera hands the clip over after the console stopped
      await h.capture.idle();
      assert.equal(files(), before, "no media file written after stop");
      assert.equal(h.api.calls.length, calls, "nothing sent after stop");
      const reopened = createSqliteStorage({ dataDir: h.config.dataDir });
      try {
        assert.deepEqual(await reopened.media.list("test-room", { limit: 10 }), [], "no media indexed");
      } finally {
        await reopened.close();
      }
      const errors = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);
      assert.deepEqual(errors, [], "no error logged (no write to closed storage)");
      assert.deepEqual(unhandled, []);
      assert.ok(
        lines.some((l) => /dropped, not stored/.test(l)),
        "the late clip was dropped on purpose",
      );
    } finally {
      held.release();
      process.off("unhandledRejection", onUnhandled);
      if (!stopped) await h.stop().catch(() => undefined);
    }
  });
});
