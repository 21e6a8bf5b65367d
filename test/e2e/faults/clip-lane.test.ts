/**
 * A 30 s clip recording in the staff group while others press buttons there, against the
 * real console process (its simulated camera records in real time): every press is
 * answered while the clip is still recording, and the clip arrives at the end.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { checkServer, type FaultConsole, GROUP, matching, STAFF, STAFF2, startFaultConsole } from "./support.ts";

const consoles: FaultConsole[] = [];
after(async () => {
  await Promise.all(consoles.map((c) => c.close()));
});

describe("faults: long work in a busy chat (the real process)", () => {
  test("a 30 s clip in the group: buttons pressed meanwhile are answered while it records", async () => {
    const c = await startFaultConsole();
    consoles.push(c);
    await c.api.waitFor(() => matching(c.group(), /Seroma started/)[0], 20_000);
    // An alert card to acknowledge, and a /status to refresh, in the group.
    await c.fleet.get("web-1")?.setUp(false);
    await checkServer(c, "web-1");
    const alert = await c.api.waitFor(() => matching(c.group(), /web-1.*cannot be checked/s)[0], 20_000);
    const status = await c.ask(STAFF2, "/status", GROUP);

    c.api.sendMessage(STAFF, GROUP, "/clip 30");
    await c.api.waitFor(() => matching(c.group(), /Recording/)[0], 20_000);
    const clipArrived = () => c.group().some((m) => m.media?.kind === "video" || m.media?.kind === "animation");

    const before = c.api.callbackAnswers.length;
    c.api.pressButton(STAFF2, alert, { text: "✔️ Acknowledge" });
    await c.api.waitFor(() => c.api.callbackAnswers.length > before, 10_000);
    assert.equal(clipArrived(), false, "answered while the clip records");
    await c.api.waitFor(() => {
      const now = c.group().find((m) => m.message_id === alert.message_id);
      return /Acknowledged by Grace/.test(now?.text ?? now?.caption ?? "") ? now : undefined;
    }, 10_000);

    for (let i = 0; i < 3; i++) {
      const n = c.api.callbackAnswers.length;
      c.api.pressButton(STAFF2, status, { text: "🔄 Refresh" });
      await c.api.waitFor(() => c.api.callbackAnswers.length > n, 10_000);
    }
    assert.equal(clipArrived(), false, "all answered while the clip records");
    await c.api.waitFor(() => (clipArrived() ? true : undefined), 60_000);
  });
});
