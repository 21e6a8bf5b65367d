/**
 * Server checks end to end: a real OpenSSH server on 127.0.0.1 (ssh2's own server where
 * OpenSSH is not installed), the real SSH client with pinned host keys, the check script
 * and parsers, the server-check job and alert engine, and the bot over the local Bot API:
 * /addserver (fingerprint shown and confirmed), /servers, /server NAME, Details, a
 * changed host key, a host that drops mid-command (down, then recovered), a disk
 * threshold crossed and fixed, /removeserver, and non-admins.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import type { HostSpec } from "../../../core/servers/types.ts";
import { inlineButtons } from "../../../local/bot-api/server.ts";
import { botChat } from "../../support/bot-chat.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  startConsoleHarness,
} from "../../support/console-harness.ts";
import {
  generateEd25519KeyPair,
  type Ssh2TestServer,
  startSsh2TestServer,
  startTestSshServer,
  type TestSshServer,
} from "../../support/sshd.ts";

const { botMessages, expectBot, say } = botChat({ timeoutMs: 20_000 });

describe("servers over SSH, end to end", () => {
  let ssh: TestSshServer;
  let flaky: Ssh2TestServer;
  let h: ConsoleHarness;
  const clientKeys = generateEd25519KeyPair();

  before(async () => {
    ssh = await startTestSshServer();
    if (ssh.kind !== "openssh") {
      console.log("# OpenSSH's sshd is not installed here (apt-get install openssh-server): using ssh2's own server");
    }
    flaky = await startSsh2TestServer({ clientKeys });
    const dir = mkdtempSync(join(tmpdir(), "seroma-ssh-key-"));
    writeFileSync(join(dir, "id"), ssh.clientPrivateKey, { mode: 0o600 });
    writeFileSync(join(dir, "flaky"), clientKeys.private, { mode: 0o600 });
    h = await startConsoleHarness({
      env: {
        SSH_KEY_FILE: join(dir, "id"),
        SSH_CONNECT_TIMEOUT_SECONDS: "3",
        SSH_COMMAND_TIMEOUT_SECONDS: "10",
        SERVER_DOWN_AFTER: "2",
        // The checked host is this machine: its load and memory are whatever the test run makes
        // them; only the thresholds a test sets on purpose may raise an incident.
        LOAD_MAX_PER_CORE: "100",
        MEMORY_MAX_PCT: "100",
        DISK_MAX_PCT: "100",
      },
    });
    (h as unknown as { flakyKey: string }).flakyKey = join(dir, "flaky");
  });
  after(async () => {
    await h?.stop();
    await ssh?.stop();
    await flaky?.stop();
  });
  afterEach(async () => {
    await h.api.waitForIdle();
  });

  test("/addserver: name, address, user, the host key's fingerprint confirmed, services; then a first check", async () => {
    const conversationFrom = botMessages(h, privateChat(ADMIN)).length;
    await say(h, ADMIN, "/addserver", /short name/);
    await say(h, ADMIN, "Web 1!", /That name does not work/);
    await say(h, ADMIN, "local1", /Address of local1/);
    await say(h, ADMIN, "127.0.0.1:99999", /not a host name or IP/);
    await say(h, ADMIN, `127.0.0.1:${ssh.port}`, /User to log in as/);
    const key = await say(h, ADMIN, ssh.user, /presents this .* host key/);
    assert.ok(key.text?.includes(ssh.hostKeyFingerprint), `shows ${ssh.hostKeyFingerprint}: ${key.text}`);
    assert.equal(
      await h.storage.hosts.get("test-room", "local1"),
      undefined,
      "nothing saved before the admin confirms",
    );
    h.api.pressButton(ADMIN, key, { text: "✅ It matches: trust it" });
    await expectBot(h, privateChat(ADMIN), /systemd services that must be running/);
    await say(h, ADMIN, "nginx; rm -rf /", /not unit names/);
    const first = await say(h, ADMIN, "-", /🟢 local1 · up /);
    assert.match(first.text ?? "", /load \d+\.\d\d\/\d+ · mem \d+ % · disk \d+ %/);
    const spec = await h.storage.hosts.get("test-room", "local1");
    assert.deepEqual(
      [spec?.address, spec?.port, spec?.user, spec?.hostKey],
      ["127.0.0.1", ssh.port, ssh.user, ssh.hostKeyFingerprint],
    );
    const audit = await h.storage.audit.latest("test-room", 5);
    assert.ok(audit.some((a) => a.action === "server-add" && a.userId === ADMIN.id));
    // Finished steps keep no buttons (Cancel, Trust); only the new server's own Check now / Details stay.
    await h.api.waitFor(() =>
      botMessages(h, privateChat(ADMIN))
        .slice(conversationFrom, -1)
        .every((m) => inlineButtons(m).length === 0),
    );
    assert.deepEqual(
      inlineButtons(first).map((b) => b.text),
      ["🔄 local1", "ℹ️ local1"],
    );
  });

  test("/addserver cancelled with its button: the prompt's buttons are gone", async () => {
    const from = botMessages(h, privateChat(ADMIN)).length;
    const prompt = await say(h, ADMIN, "/addserver", /short name/);
    assert.ok(inlineButtons(prompt).length > 0, "Cancel offered");
    h.api.pressButton(ADMIN, prompt, "adds:cancel");
    await expectBot(h, privateChat(ADMIN), /cancel/i, from + 1);
    await h.api.waitFor(() =>
      botMessages(h, privateChat(ADMIN))
        .slice(from)
        .every((m) => inlineButtons(m).length === 0),
    );
  });

  test("/servers lists it with Check now / Details; Details shows every mount; /server runs now, edited in place", async () => {
    const list = await say(h, STAFF, "/servers", /1 server · test-room/);
    assert.match(list.text ?? "", /🟢 local1 · up/);
    assert.deepEqual(
      inlineButtons(list).map((b) => b.text),
      ["🔄 local1", "ℹ️ local1"],
    );
    const from = botMessages(h, privateChat(STAFF)).length;
    h.api.pressButton(STAFF, list, { text: "ℹ️ local1" });
    const det = await expectBot(h, privateChat(STAFF), /local1 · .*127\.0\.0\.1/, from);
    assert.match(det.text ?? "", /💽 \/ \d+ %/);
    assert.match(det.text ?? "", /🧠 memory/);
    const progress = await say(h, STAFF, "/server local1", /Checking local1|Checked/);
    const done = await h.api.waitFor(() => {
      const m = h.api.messages(privateChat(STAFF).id).find((x) => x.message_id === progress.message_id);
      return m && m.edits > 0 && /Checked/.test(m.text ?? "") ? m : undefined;
    });
    assert.match(done.text ?? "", /⏱ up/);
    assert.ok((await h.storage.serverResults.latest("test-room", "local1", 10)).length >= 2);
    await say(h, STAFF, "/server nosuch", /No server called “nosuch”/);
    await say(h, STAFF, "/server", /Usage: \/server NAME/);
  });

  test("a host whose key does not match its pin is refused at once and alerted", async () => {
    const wrong: HostSpec = {
      ...((await h.storage.hosts.get("test-room", "local1")) as HostSpec),
      name: "spoofed",
      hostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };
    await h.storage.hosts.add("test-room", wrong);
    const from = botMessages(h, STAFF_GROUP).length;
    const progress = await say(h, STAFF, "/server spoofed", /Checking spoofed|HOST KEY/);
    const done = await h.api.waitFor(() => {
      const m = h.api.messages(privateChat(STAFF).id).find((x) => x.message_id === progress.message_id);
      return m && /HOST KEY CHANGED/.test(m.text ?? "") ? m : undefined;
    });
    assert.ok(done.text?.includes(ssh.hostKeyFingerprint), "names the key the server presented");
    const alert = await expectBot(h, STAFF_GROUP, /Server spoofed cannot be checked \(failed once\)/, from);
    assert.match(alert.text ?? "", /CRITICAL/);
  });

  test("a disk over its threshold raises; fixed (threshold raised), it recovers as a reply", async () => {
    const base = (await h.storage.hosts.get("test-room", "local1")) as HostSpec;
    await h.storage.hosts.add("test-room", { ...base, name: "tight", thresholds: { ...base.thresholds, diskPct: 0 } });
    const from = botMessages(h, STAFF_GROUP).length;
    await h.serverChecks.checkNow("tight");
    const alert = await expectBot(h, STAFF_GROUP, /Server tight: disk over 0 %: \//, from);
    // The mount point is code, not a tappable "/srv" command.
    const kinds = (alert.entities ?? []).map(
      (e) => `${e.type}:${(alert.text ?? "").slice(e.offset, e.offset + e.length)}`,
    );
    assert.ok(kinds.includes("code:/"), kinds.join(" "));
    assert.ok(!kinds.some((k) => k.startsWith("bot_command")), kinds.join(" "));
    await h.storage.hosts.remove("test-room", "tight");
    await h.storage.hosts.add("test-room", {
      ...base,
      name: "tight",
      thresholds: { ...base.thresholds, diskPct: 100 },
    });
    await h.serverChecks.checkNow("tight");
    const back = await expectBot(h, STAFF_GROUP, /Server tight: disk usage is back under the limit/, from);
    assert.equal(back.reply_to_message_id, alert.message_id);
  });

  test("a host that drops mid-command: down after two runs in a row, recovered when it answers again", async () => {
    await h.storage.hosts.add("test-room", {
      name: "flaky",
      address: "127.0.0.1",
      port: flaky.port,
      user: flaky.user,
      keyFile: (h as unknown as { flakyKey: string }).flakyKey,
      hostKey: flaky.hostKeyFingerprint,
      checks: ["uptime", "load"],
      services: [],
      thresholds: { diskPct: 90, loadPerCore: 100, memoryPct: 95 },
    });
    flaky.setBehaviour("drop-mid-command");
    const from = botMessages(h, STAFF_GROUP).length;
    const r1 = await h.serverChecks.checkNow("flaky");
    assert.equal(r1?.failure?.kind, "dropped");
    assert.equal(
      botMessages(h, STAFF_GROUP)
        .slice(from)
        .some((m) => /flaky/.test(m.text ?? "")),
      false,
      "one failed run is not an alert",
    );
    await h.serverChecks.checkNow("flaky");
    const down = await expectBot(h, STAFF_GROUP, /Server flaky cannot be checked \(failed 2 times in a row\)/, from);
    flaky.setBehaviour("normal");
    const ok = await h.serverChecks.checkNow("flaky");
    assert.equal(ok?.reachable, true);
    const back = await expectBot(h, STAFF_GROUP, /Server flaky answers again/, from);
    assert.equal(back.reply_to_message_id, down.message_id);
    assert.equal(flaky.connections >= 3, true);
  });

  test("staff cannot add or remove servers; /removeserver asks, removes, closes its alerts", async () => {
    await say(h, STAFF, "/addserver", /Only an admin/);
    await say(h, STAFF, "/removeserver local1", /Only an admin/);
    assert.ok(h.alerts.engine.openIncidents().some((i) => i.rule === "server.down:spoofed"));
    const ask = await say(h, ADMIN, "/removeserver spoofed", /Remove spoofed/);
    h.api.pressButton(ADMIN, ask, { text: "🗑 Remove" });
    await h.api.waitFor(() => {
      const m = h.api.messages(privateChat(ADMIN).id).find((x) => x.message_id === ask.message_id);
      return m && /removed/.test(m.text ?? "") ? m : undefined;
    });
    assert.equal(await h.storage.hosts.get("test-room", "spoofed"), undefined);
    await h.alerts.engine.idle();
    assert.ok(!h.alerts.engine.openIncidents().some((i) => i.rule === "server.down:spoofed"));
    await say(h, ADMIN, "/removeserver nosuch", /No server called “nosuch”/);
  });
});
