/**
 * Faults on the Telegram side, against the real console process: an alert too long for a
 * message, Telegram refusing (429, 502, down for a while, the bot kicked from the group).
 * Every alert must arrive (in the group, or with the admins when the group refuses for
 * good), once, and one refused alert must never hold back the ones after it.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
  ADMIN,
  checkServer,
  type FaultConsole,
  GROUP,
  matching,
  privateChat,
  STAFF,
  startFaultConsole,
} from "./support.ts";

const consoles: FaultConsole[] = [];
after(async () => {
  await Promise.all(consoles.map((c) => c.close()));
});

async function console_(opts: Parameters<typeof startFaultConsole>[0] = {}): Promise<FaultConsole> {
  const c = await startFaultConsole(opts);
  consoles.push(c);
  await c.api.waitFor(() => matching(c.group(), /Seroma started/)[0], 20_000);
  return c;
}

describe("faults: Telegram (the real process)", () => {
  test("a Docker host with 60 full mounts: its alert fits, a later critical alert still arrives, /server answers", async () => {
    const mounts = Array.from({ length: 60 }, (_, i) => ({
      mount: `/var/lib/docker/overlay2/${"f".repeat(40)}${i}/merged`,
      pct: 95,
    }));
    const c = await console_({
      hosts: [
        { name: "docker-1", diskPct: 40, extraMounts: mounts },
        { name: "web-1", diskPct: 40 },
      ],
    });
    await checkServer(c, "docker-1");
    const [disk] = await c.api.waitFor(() => {
      const m = matching(c.group(), /docker-1.*disk over/s);
      return m.length > 0 ? m : undefined;
    }, 20_000);
    assert.match(disk?.text ?? "", /and \d+ more/, "the mount list is cut");
    // The details of /server docker-1: the message is cut, the full text follows as a .txt.
    const details = c.privateTo(STAFF);
    assert.ok(
      details.every((m) => !/Something went wrong/.test(m.text ?? "")),
      details.map((m) => m.text).join("\n"),
    );
    assert.ok(
      details.some((m) => m.media?.kind === "document"),
      "the full details as a document",
    );

    // A later, critical alert is not held back.
    await c.fleet.get("web-1")?.setUp(false);
    await checkServer(c, "web-1");
    await c.api.waitFor(() => matching(c.group(), /web-1.*cannot be checked/s)[0], 20_000);
  });

  test("the group answers 429, then 502s, then is unreachable for a while: every alert arrives once, in order", async () => {
    const c = await console_();
    const group = { chatId: GROUP.id };
    c.api.failNext(
      "sendMessage",
      { error_code: 429, description: "Too Many Requests: retry after 1", retry_after: 1 },
      1,
      group,
    );
    c.api.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" }, 3, group);
    await c.fleet.get("web-1")?.setUp(false);
    await checkServer(c, "web-1"); // raised: down
    await c.api.waitFor(() => matching(c.group(), /web-1.*cannot be checked/s)[0], 20_000);
    // Then every call to the group fails for a few seconds, as a proxy that is down would.
    c.api.refuseChat(GROUP.id, { error_code: 502, description: "Bad Gateway" });
    await c.fleet.get("web-1")?.setUp(true);
    await checkServer(c, "web-1"); // recovered, while the group cannot be reached
    await c.fleet.get("db-1")?.setUp(false);
    await checkServer(c, "db-1"); // and one more behind it
    await c.api.waitFor(() => c.api.calls.filter((x) => x.params.chat_id === GROUP.id && x.status === 502).length >= 5);
    await new Promise((r) => setTimeout(r, 3_000));
    c.api.refuseChat(GROUP.id, undefined);
    const alerts = await c.api.waitFor(() => {
      const all = matching(c.group(), /web-1|db-1/);
      return all.length >= 3 ? all : undefined;
    }, 30_000);
    assert.match(alerts[0]?.text ?? "", /web-1.*cannot be checked/s);
    assert.match(alerts[1]?.text ?? "", /Recovered.*web-1 answers again/s);
    assert.match(alerts[2]?.text ?? "", /db-1.*cannot be checked/s);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(matching(c.group(), /web-1|db-1/).length, 3, "each once");
  });

  test("the bot kicked from the group: alerts reach the admin privately, nothing stalls, and the group gets them again later", async () => {
    const c = await console_();
    c.api.refuseChat(GROUP.id, { error_code: 403, description: "Forbidden: bot was kicked from the supergroup chat" });
    await c.fleet.get("web-1")?.setUp(false);
    await checkServer(c, "web-1");
    const [report] = await c.api.waitFor(() => {
      const m = matching(c.privateTo(ADMIN), /could not be delivered/);
      return m.length > 0 ? m : undefined;
    }, 20_000);
    assert.match(report?.text ?? "", /web-1/);
    assert.match(report?.text ?? "", /bot was kicked/);
    const alerts = await c.ask(ADMIN, "/alerts", privateChat(ADMIN));
    assert.match(alerts.text ?? "", /Not delivered in the last 7 days: 1\./);
    // Back in the group: the next alert goes there.
    c.api.refuseChat(GROUP.id, undefined);
    await c.fleet.get("web-1")?.setUp(true);
    await checkServer(c, "web-1");
    await c.api.waitFor(() => matching(c.group(), /Recovered.*web-1/s)[0], 20_000);
  });
});
