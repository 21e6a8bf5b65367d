/**
 * Long answers end to end (issue 12): the local Bot API server refuses what Telegram refuses
 * (texts over 4,096 characters, captions over 1,024, callback data over 64 bytes), so every
 * test here that passes proves the bot fitted what it sent. A cut answer ends with
 * "… and N more" in the reader's language and the full text follows as a .txt reply.
 *
 * - /server NAME for a host (ssh2's SSH server on loopback, running the real check script
 *   with a `df` that lists 60 mounts) whose every mount is over the threshold, and the
 *   disk alert it raises;
 * - /alerts with 100 open incidents, /staff with 300 people (in English and Japanese),
 *   /who with 300 people in today;
 * - /access NAME: the buttons viewers get carry no card UID, and still work.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { inlineButtons, type RecordedMessage } from "../../local/bot-api/server.ts";
import { botChat } from "../support/bot-chat.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  STAFF_JA,
  STRANGER,
  startConsoleHarness,
} from "../support/console-harness.ts";
import { generateEd25519KeyPair, type Ssh2TestServer, startSsh2TestServer } from "../support/sshd.ts";

const { botMessages, expectBot, say } = botChat({ timeoutMs: 20_000 });

/** The .txt the bot sent as a reply to `message`, decoded. */
async function fullTextFor(h: ConsoleHarness, message: RecordedMessage): Promise<string> {
  const doc = await h.api.waitFor(() =>
    botMessages(h, { id: message.chat_id, type: "private" }).find(
      (m) => m.media?.kind === "document" && m.reply_to_message_id === message.message_id,
    ),
  );
  assert.match(doc.media?.filename ?? "", /\.txt$/);
  assert.match(doc.media?.mime ?? "", /^text\/plain/);
  return doc.media?.bytes?.toString("utf8") ?? "";
}

const MOUNTS = Array.from(
  { length: 60 },
  (_, i) => `/srv/storage/tenants/customer-archive-volume-${String(i).padStart(2, "0")}`,
);

/** A `df` that answers like `df -P -k` on a host with 60 data disks, each 95 % full. */
function fakeDfDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "seroma-fake-df-"));
  const size = 10 * 1024 * 1024;
  const used = Math.round(size * 0.95);
  const rows = [
    "Filesystem     1024-blocks      Used Available Capacity Mounted on",
    ...MOUNTS.map((m, i) => `/dev/vd${String.fromCharCode(98 + (i % 25))}${i} ${size} ${used} ${size - used} 95% ${m}`),
  ];
  mkdirSync(join(dir, "bin"));
  const df = join(dir, "bin", "df");
  writeFileSync(df, `#!/bin/sh\ncat <<'EOF'\n${rows.join("\n")}\nEOF\n`);
  chmodSync(df, 0o755);
  return join(dir, "bin");
}

describe("long answers are fitted to Telegram's limits, the full text follows as a .txt", () => {
  let h: ConsoleHarness;
  let ssh: Ssh2TestServer;
  const clientKeys = generateEd25519KeyPair();
  let keyFile: string;

  before(async () => {
    ssh = await startSsh2TestServer({
      clientKeys,
      env: { PATH: `${fakeDfDir()}:${process.env.PATH ?? "/usr/bin:/bin"}` },
    });
    const dir = mkdtempSync(join(tmpdir(), "seroma-ssh-key-"));
    keyFile = join(dir, "id");
    writeFileSync(keyFile, clientKeys.private, { mode: 0o600 });
    h = await startConsoleHarness({
      env: { SSH_KEY_FILE: keyFile, SSH_CONNECT_TIMEOUT_SECONDS: "5", SSH_COMMAND_TIMEOUT_SECONDS: "10" },
    });
  });
  after(async () => {
    await h?.stop();
    await ssh?.stop();
  });
  afterEach(async () => {
    await h.api.waitForIdle();
  });

  test("/server NAME with 60 mounts over the limit: details fitted, full details as a .txt; the alert lists five", async () => {
    await h.storage.hosts.add("test-room", {
      name: "big",
      address: "127.0.0.1",
      port: ssh.port,
      user: ssh.user,
      keyFile,
      hostKey: ssh.hostKeyFingerprint,
      checks: ["uptime", "disk"],
      services: [],
      thresholds: { diskPct: 50, loadPerCore: 100, memoryPct: 100 },
    });
    const fromGroup = botMessages(h, STAFF_GROUP).length;
    const progress = await say(h, STAFF, "/server big", /Checking big|Checked/);
    const done = await h.api.waitFor(() => {
      const m = h.api.messages(privateChat(STAFF).id).find((x) => x.message_id === progress.message_id);
      return m && /Checked/.test(m.text ?? "") ? m : undefined;
    }, 20_000);
    const text = done.text ?? "";
    assert.ok(text.length <= 4096, `${text.length} characters`);
    assert.doesNotMatch(text, /Something went wrong/);
    assert.match(text, /💽 \/srv\/storage\/tenants\/customer-archive-volume-00 95 %/);
    const more = /\n… and (\d+) more$/.exec(text);
    assert.ok(more, `ends with "… and N more": ${text.slice(-80)}`);
    const shown = MOUNTS.filter((m) => text.includes(`${m} `)).length;
    assert.equal(shown + Number(more[1]), 60, "every mount is either shown or counted");
    assert.deepEqual(
      inlineButtons(done).map((b) => b.text),
      ["🔄 big", "ℹ️ big"],
      "the buttons stay",
    );

    const full = await fullTextFor(h, done);
    for (const m of MOUNTS) assert.ok(full.includes(`💽 ${m} 95 %`), `${m} in the .txt`);
    assert.doesNotMatch(full, /<code>|&lt;|… and \d+ more/, "plain text, whole");

    const alert = await expectBot(h, STAFF_GROUP, /Server big: disk over 50 %/, fromGroup);
    const alertText = alert.text ?? "";
    assert.match(
      alertText,
      /disk over 50 %: (\/srv\/storage\/tenants\/customer-archive-volume-\d\d 95 %, ){4}\/srv\/storage\/tenants\/customer-archive-volume-\d\d 95 % … and 55 more \(\/server big\)\./,
    );
  });

  test("/alerts with 100 open incidents: 20 listed with their buttons, '… and 80 more', all 100 in the .txt", async () => {
    const at = h.clock.now().getTime();
    for (let i = 0; i < 100; i++) {
      const host = `host-${String(i).padStart(3, "0")}`;
      await h.alerts.engine.setServerCondition(
        `server.disk:${host}`,
        { severity: "warning", details: { host, mounts: "/ 95 %", limit: "90 %" } },
        at,
      );
    }
    await h.alerts.engine.idle();
    const list = await say(h, STAFF, "/alerts", /open incident/);
    const text = list.text ?? "";
    assert.match(text, /^\d+ open incidents · test-room/);
    const open = h.alerts.engine.openIncidents();
    assert.ok(open.length >= 100);
    const listed = open.filter((i) => text.includes(i.id));
    assert.equal(listed.length, 20);
    assert.match(text, new RegExp(`\\n… and ${open.length - 20} more`));
    const acks = inlineButtons(list).filter((b) => b.text.startsWith("✔️ Acknowledge"));
    assert.equal(acks.length, 20);
    for (const i of listed)
      assert.ok(
        acks.some((b) => b.text.endsWith(i.id)),
        `a button for ${i.id}`,
      );

    const full = await fullTextFor(h, list);
    for (const i of open) assert.ok(full.includes(i.id), `${i.id} in the .txt`);
  });

  test("/staff with 300 people: fitted in the reader's language, the whole list as a .txt", async () => {
    const base = { role: "staff" as const, active: true, createdBy: ADMIN.id, createdAt: h.clock.now().getTime() };
    for (let i = 0; i < 300; i++) {
      const n = String(i).padStart(3, "0");
      await h.storage.staff.add({ ...base, cardUid: `0A0B0C${n}D`, name: `Person ${n} Hamilton-Lovelace` });
    }
    const list = await say(h, ADMIN, "/staff", /Staff cards/);
    const text = list.text ?? "";
    const more = /\n… and (\d+) more$/.exec(text);
    assert.ok(more, text.slice(-80));
    const shown = text.split("\n").filter((l) => l.includes("Person ")).length;
    assert.equal(shown + Number(more[1]), 300);
    const buttons = inlineButtons(list);
    assert.ok(buttons.length > 0 && buttons.length <= 80, `${buttons.length} buttons`);
    for (const b of buttons) assert.ok(b.text.length <= 64);
    const full = await fullTextFor(h, list);
    for (let i = 0; i < 300; i++) assert.ok(full.includes(`Person ${String(i).padStart(3, "0")} `));

    const ja = await say(h, STAFF_JA, "/staff", /スタッフカード/);
    assert.match(ja.text ?? "", /\n…ほか \d+ 件$/);
    assert.match(await fullTextFor(h, ja), /Person 299 Hamilton-Lovelace/);
  });

  test("/who with 300 people in today: fitted, the whole list as a .txt", async () => {
    const at = h.clock.now().getTime() - 60 * 60_000;
    for (let i = 0; i < 300; i++) {
      const n = String(i).padStart(3, "0");
      await h.storage.accessLog.add({
        roomId: "test-room",
        at: at + i,
        cardUid: `0A0B0C${n}D`,
        staffName: `Person ${n} Hamilton-Lovelace`,
        decision: "allowed",
      });
    }
    const who = await say(h, STAFF, "/who", /today ·/);
    const more = /\n… and (\d+) more$/.exec(who.text ?? "");
    assert.ok(more, (who.text ?? "").slice(-80));
    const full = await fullTextFor(h, who);
    assert.equal(full.split("\n").filter((l) => l.startsWith("• Person ")).length, 300);
  });

  test("/access NAME: no card UID in any button a viewer gets; the buttons still page", async () => {
    const uid = "DEADBEEF0042";
    const base = { role: "staff" as const, active: true, createdBy: ADMIN.id, createdAt: h.clock.now().getTime() };
    await h.storage.staff.add({ ...base, cardUid: uid, name: "Margaret Hamilton" });
    await h.storage.staff.add({ ...base, cardUid: "DEADBEEF0043", name: "Margaret Knight" });
    for (let i = 0; i < 15; i++) {
      await h.storage.accessLog.add({
        roomId: "test-room",
        at: h.clock.now().getTime() - (20 - i) * 60_000,
        cardUid: uid,
        staffName: "Margaret Hamilton",
        decision: "allowed",
      });
    }
    const since = h.api.mark();
    const which = await say(h, STRANGER, "/access Margaret", /Which/i, STAFF_GROUP);
    h.api.pressButton(STRANGER, which, { text: "Margaret Hamilton" });
    const page = await expectBot(h, STAFF_GROUP, /Margaret Hamilton at test-room · latest 10/);
    h.api.pressButton(STRANGER, page, { text: "⬇️ Older" });
    const older = await expectBot(h, STAFF_GROUP, /Margaret Hamilton at test-room · latest 5/);
    assert.ok(older.message_id > page.message_id);

    const sent = h.api.calls.slice(since).flatMap((c) => {
      const markup = c.params.reply_markup as
        | { inline_keyboard?: Array<Array<{ callback_data?: string }>> }
        | undefined;
      return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? "");
    });
    assert.ok(sent.length >= 3, `buttons seen: ${sent.join(" ")}`);
    for (const data of sent) {
      assert.ok(!data.includes(uid) && !data.includes("DEADBEEF0043"), `a card UID in callback data: ${data}`);
    }
  });
});
