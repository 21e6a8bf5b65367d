import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { inlineButtons } from "../../../local/bot-api/server.ts";
import { ADMIN, type ConsoleHarness, STAFF, STRANGER, startConsoleHarness } from "../../support/console-harness.ts";

describe("auth filter end to end", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness();
  });
  after(async () => {
    await h.stop();
  });

  test("an unknown user is answered each time, at most once a minute: first the polite refusal, then a short reminder", async () => {
    const reply = await h.ask(STRANGER, "/status");
    assert.match(reply.text ?? "", /private console for the staff of test-room\./);
    assert.match(reply.raw ?? "", /<code>6666<\/code>/);
    assert.doesNotMatch(reply.text ?? "", /Temperature/);

    // A flood within the minute gets no answer each...
    h.api.sendMessage(STRANGER, { id: STRANGER.id, type: "private" }, "/history");
    h.api.sendMessage(STRANGER, { id: STRANGER.id, type: "private" }, "hello?");
    // A staff request sent after them is answered: so the stranger's updates were processed, not pending.
    await h.ask(STAFF, "/help");
    await h.api.waitFor(() => h.api.pendingUpdates() === 0);
    assert.equal(h.api.messages(STRANGER.id).filter((m) => m.from_bot).length, 1);

    // ...but a minute later they are answered again, never left in silence.
    h.clock.advance(61_000);
    const again = await h.ask(STRANGER, "hello? anyone?");
    assert.match(again.text ?? "", /still not on the staff of test-room/);
    assert.match(again.raw ?? "", /<code>6666<\/code>/);
    h.clock.advance(61_000);
    const third = await h.ask(STRANGER, "/status");
    assert.match(third.text ?? "", /still not on the staff/);
    assert.equal(h.api.messages(STRANGER.id).filter((m) => m.from_bot).length, 3);
  });

  test("an unknown user in some other group is refused too", async () => {
    const group = { id: -100_777, type: "group" as const, title: "random" };
    const someone = { id: 7777, first_name: "Eve" };
    const reply = await h.ask(someone, "/status", group);
    assert.match(reply.raw ?? "", /<code>7777<\/code>/);
  });

  test("a stranger pressing a button gets a refusal alert and nothing happens", async () => {
    const status = await h.ask(STAFF, "/status");
    const before = h.api.callbackAnswers.length;
    h.api.pressButton(STRANGER, status, "status:refresh");
    const answer = await h.api.waitFor(() => h.api.callbackAnswers[before]);
    assert.equal(answer.text, "You are not allowed to use this console.");
    assert.equal(answer.show_alert, true);
    assert.equal(h.api.messages(STAFF.id).find((m) => m.message_id === status.message_id)?.edits, 0);
  });

  test("the admin is greeted as admin", async () => {
    const reply = await h.ask(ADMIN, "/start");
    assert.match(reply.text ?? "", /signed in as admin\./);
    assert.equal(inlineButtons(reply).length, 4);
  });

  test("unknown commands and plain text get a hint in private; group chatter is ignored", async () => {
    assert.match((await h.ask(STAFF, "/frobnicate")).text ?? "", /don't know that command/);
    assert.match((await h.ask(STAFF, "how hot is it?")).text ?? "", /answer commands only/);
    const group = { id: -100_555, type: "supergroup" as const, title: "Server room staff" };
    h.api.sendMessage(STAFF, group, "lunch?");
    await h.ask(STAFF, "/help", group);
    const botMessages = h.api.messages(group.id).filter((m) => m.from_bot);
    assert.equal(botMessages.length, 1, "only /help was answered");
  });
});
