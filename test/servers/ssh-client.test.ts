/**
 * The SSH client against a real OpenSSH server on loopback (where /usr/sbin/sshd is
 * installed; ssh2's own server otherwise, and the output says so), and against ssh2's
 * server for what a real sshd will not do on demand (drop mid-command, hang, answer
 * slowly). Host key pinning, authentication failures, timeouts, killed commands, the
 * output cap, fetchHostKey, key-file errors and mapWithConcurrency.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { mapWithConcurrency } from "../../core/concurrency.ts";
import {
  fingerprintOfPublicKeyLine,
  isFingerprint,
  keyTypeOf,
  sameFingerprint,
  sha256Fingerprint,
} from "../../servers/fingerprint.ts";
import {
  fetchHostKey,
  REMOTE_COMMAND,
  type RunOptions,
  type RunResult,
  readPrivateKey,
  runOnHost,
  wrapScript,
} from "../../servers/ssh-client.ts";
import {
  freePort,
  generateEd25519KeyPair,
  type OpenSshTestServer,
  type Ssh2TestServer,
  sshdAvailable,
  startSilentTcpServer,
  startSsh2TestServer,
  startTestSshServer,
  type TestSshServer,
} from "../support/sshd.ts";

const HAS_SSHD = sshdAvailable();
const HAS_KEYGEN = existsSync("/usr/bin/ssh-keygen");
const NO_SSHD =
  "OpenSSH's server is not available (no /usr/sbin/sshd, or SEROMA_TEST_NO_SSHD=1): these run against ssh2's own server instead";

const work = mkdtempSync(join(tmpdir(), "seroma-ssh-test-"));
after(() => rmSync(work, { recursive: true, force: true }));

function target(server: TestSshServer, over: Partial<{ user: string; hostKey: string; port: number }> = {}) {
  return {
    name: "web1",
    address: server.host,
    port: over.port ?? server.port,
    user: over.user ?? server.user,
    hostKey: over.hostKey ?? server.hostKeyFingerprint,
  };
}

function options(server: TestSshServer, over: Partial<RunOptions> = {}): RunOptions {
  return { privateKey: server.clientPrivateKey, connectTimeoutMs: 5_000, commandTimeoutMs: 10_000, ...over };
}

function expectFailure(r: RunResult, kind: string): asserts r is Extract<RunResult, { ok: false }> {
  assert.equal(r.ok, false, `expected ${kind}, got success: ${JSON.stringify(r)}`);
  assert.equal((r as { kind: string }).kind, kind, JSON.stringify(r));
}

/** A fingerprint that is well-formed and certainly not the server's. */
const otherFingerprint = () => sha256Fingerprint(randomBytes(51));

/** True once the process is gone (or a zombie nobody reaped); polls up to 5 s. */
async function processGone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    let state: string | undefined;
    try {
      state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
    } catch {
      return true;
    }
    if (state === "Z" || state === "X") return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForFile(path: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  while (!existsSync(path) || readFileSync(path, "utf8").trim() === "") {
    if (Date.now() > deadline) throw new Error(`${path} never appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return readFileSync(path, "utf8").trim();
}

describe(`runOnHost against ${HAS_SSHD ? "OpenSSH" : "ssh2's server (no sshd here)"}`, () => {
  let server: TestSshServer;
  const openssh = () => (server.kind === "openssh" ? (server as OpenSshTestServer) : undefined);
  /** Where the server's record of what happened stands now. */
  const mark = () => openssh()?.log().length ?? (server as Ssh2TestServer).events.length;
  async function assertNoLoginSince(from: number): Promise<void> {
    const o = openssh();
    if (o) {
      await o.waitForLog(/\[preauth\]/, { from }); // the connection ended before authentication
      const since = o.log().slice(from);
      assert.ok(!since.some((l) => /Accepted publickey/.test(l)), `a login happened:\n${since.join("\n")}`);
    } else {
      const since = (server as Ssh2TestServer).events.slice(from);
      assert.ok(since.includes("connect"), since.join(", "));
      assert.ok(!since.includes("auth-ok"), `a login happened: ${since.join(", ")}`);
      assert.ok(!since.some((e) => e.startsWith("exec:")), since.join(", "));
    }
  }

  before(async () => {
    server = await startTestSshServer();
  });
  after(async () => {
    await server?.stop();
  });

  test("which server", (t) => {
    t.diagnostic(HAS_SSHD ? `OpenSSH on 127.0.0.1:${server.port} as ${server.user}` : NO_SSHD);
  });

  test("with the pinned key: the script runs once, output and exit code come back", async () => {
    const from = mark();
    const script = [
      `printf '%s\\n' "it's \\"quoted\\" & \\$not_expanded"`,
      "echo to-stderr >&2",
      "x=41; echo $((x + 1))",
      "exit 3",
    ].join("\n");
    const r = await runOnHost(target(server), script, options(server));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.stdout, `it's "quoted" & $not_expanded\n42\n`);
    assert.equal(r.stderr, "to-stderr\n");
    assert.equal(r.code, 3);
    assert.equal(r.hostKey, server.hostKeyFingerprint);
    const o = openssh();
    if (o) await o.waitForLog(new RegExp(`Accepted publickey for ${server.user} from 127\\.0\\.0\\.1`), { from });
  });

  test("exit code 0 and an empty script", async () => {
    const r = await runOnHost(target(server), "", options(server));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "");
  });

  test("a command that reads stdin gets end-of-file, not the rest of the script", async () => {
    const r = await runOnHost(target(server), "cat\nread line || echo no-input\necho after", options(server));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.stdout, "no-input\nafter\n");
  });

  test("a wrong pin is refused before authenticating, showing the key presented", async () => {
    const from = mark();
    const pin = otherFingerprint();
    const r = await runOnHost(target(server, { hostKey: pin }), "echo should-not-run", options(server));
    expectFailure(r, "host-key-mismatch");
    assert.equal(r.presentedHostKey, server.hostKeyFingerprint);
    assert.ok(r.message.includes(server.hostKeyFingerprint) && r.message.includes(pin), r.message);
    await assertNoLoginSince(from);
  });

  test("no pin, or a malformed one, is refused too (no trust on first use)", async () => {
    for (const hostKey of ["", "SHA256:short", server.hostKeyFingerprint.replace("SHA256:", "MD5:")]) {
      const r = await runOnHost(target(server, { hostKey }), "echo should-not-run", options(server));
      expectFailure(r, "host-key-mismatch");
      assert.equal(r.presentedHostKey, undefined);
    }
  });

  test("a user the key is not authorized for: auth-failed", async () => {
    for (const user of ["nobody", "seroma-no-such-user"]) {
      const r = await runOnHost(target(server, { user }), "echo should-not-run", options(server));
      expectFailure(r, "auth-failed");
      assert.match(r.message, new RegExp(`"${user}"`));
    }
  });

  test("a key the server does not know: auth-failed", async () => {
    const stranger = generateEd25519KeyPair().private;
    const r = await runOnHost(target(server), "echo should-not-run", options(server, { privateKey: stranger }));
    expectFailure(r, "auth-failed");
  });

  test("a command longer than commandTimeoutMs: dropped, and the remote process is killed", async () => {
    const pidFile = join(work, `sleep-${Date.now()}.pid`);
    const script = `sleep 30 &\necho $! > ${pidFile}\necho started\nwait`;
    const run = runOnHost(target(server), script, options(server, { commandTimeoutMs: 2_000 }));
    const pid = Number(await waitForFile(pidFile));
    assert.ok(pid > 0);
    const r = await run;
    expectFailure(r, "dropped");
    assert.match(r.message, /did not finish within 2000 ms/);
    assert.ok(await processGone(pid), `the remote sleep (pid ${pid}) is still running`);
  });

  test("output over the cap: the command is stopped (dropped)", async () => {
    const r = await runOnHost(
      target(server),
      "i=0; while [ $i -lt 100000 ]; do echo yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy; i=$((i+1)); done",
      options(server, { maxOutputBytes: 10_000 }),
    );
    expectFailure(r, "dropped");
    assert.match(r.message, /more than 10000 bytes/);
  });

  test("an abort signal stops the run: dropped, cancelled", async () => {
    const ac = new AbortController();
    const pidFile = join(work, `abort-${Date.now()}.pid`);
    const run = runOnHost(
      target(server),
      `sleep 30 &\necho $! > ${pidFile}\nwait`,
      options(server, { signal: ac.signal }),
    );
    const pid = Number(await waitForFile(pidFile));
    ac.abort();
    const r = await run;
    expectFailure(r, "dropped");
    assert.match(r.message, /cancelled/);
    assert.ok(await processGone(pid), `the remote sleep (pid ${pid}) is still running`);
  });

  test("fetchHostKey reads the fingerprint ssh-keygen -lf prints, without logging in", async () => {
    const from = mark();
    const r = await fetchHostKey(server.host, server.port, { timeoutMs: 5_000 });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.keyType, "ssh-ed25519");
    assert.equal(r.fingerprint, server.hostKeyFingerprint);
    const o = openssh();
    if (o) {
      const printed = execFileSync("ssh-keygen", ["-lf", o.hostKeyPubFile], { encoding: "utf8" }).split(/\s+/)[1];
      assert.equal(r.fingerprint, printed);
    }
    await assertNoLoginSince(from);
  });
});

describe("runOnHost: hosts that fail to connect", () => {
  const key = generateEd25519KeyPair().private;
  const spec = (port: number) => ({
    name: "db1",
    address: "127.0.0.1",
    port,
    user: "root",
    hostKey: sha256Fingerprint(randomBytes(51)),
  });

  test("nothing listening: unreachable", async () => {
    const port = await freePort();
    const r = await runOnHost(spec(port), "true", {
      privateKey: key,
      connectTimeoutMs: 5_000,
      commandTimeoutMs: 5_000,
    });
    expectFailure(r, "unreachable");
    assert.match(r.message, /refused the connection/);
    const k = await fetchHostKey("127.0.0.1", port, { timeoutMs: 5_000 });
    assert.equal(k.ok, false);
    assert.equal(!k.ok && k.kind, "unreachable");
  });

  test("a host that accepts and never speaks: timeout", async (t) => {
    const silent = await startSilentTcpServer();
    t.after(() => silent.stop());
    const r = await runOnHost(spec(silent.port), "true", {
      privateKey: key,
      connectTimeoutMs: 300,
      commandTimeoutMs: 5_000,
    });
    expectFailure(r, "timeout");
    assert.match(r.message, /within 300 ms/);
    assert.equal(silent.accepted(), 1);
    const k = await fetchHostKey("127.0.0.1", silent.port, { timeoutMs: 300 });
    assert.equal(!k.ok && k.kind, "timeout");
  });
});

describe("runOnHost against ssh2's server: drops, hangs, slow answers", () => {
  let server: Ssh2TestServer;
  before(async () => {
    server = await startSsh2TestServer();
  });
  after(async () => {
    await server?.stop();
  });

  test("one connection and one exec of `sh -s` per run", async () => {
    const before = server.connections;
    const execs = server.events.filter((e) => e.startsWith("exec:")).length;
    const r = await runOnHost(target(server), "echo one", options(server));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.stdout, "one\n");
    assert.equal(server.connections - before, 1);
    const execsNow = server.events.filter((e) => e.startsWith("exec:"));
    assert.equal(execsNow.length - execs, 1);
    assert.equal(execsNow.at(-1), `exec:${REMOTE_COMMAND}`);
  });

  test("a host that drops the connection mid-command: dropped", async () => {
    server.setBehaviour("drop-mid-command");
    const r = await runOnHost(target(server), "echo partial\nsleep 5\necho never", options(server));
    server.setBehaviour("normal");
    expectFailure(r, "dropped");
    assert.match(r.message, /lost/);
  });

  test("a host that never answers the command: dropped at the timeout, killed and closed", async () => {
    server.setBehaviour("hang");
    const from = server.events.length;
    const r = await runOnHost(target(server), "echo hi", options(server, { commandTimeoutMs: 500 }));
    server.setBehaviour("normal");
    expectFailure(r, "dropped");
    assert.match(r.message, /did not finish within 500 ms/);
    await server.waitForEvent("socket-closed", { from });
    const since = server.events.slice(from);
    assert.ok(since.includes("channel-closed"), since.join(", "));
  });

  test("a slow host within the timeout: the answer comes back", async () => {
    server.setBehaviour("slow", 300);
    const r = await runOnHost(target(server), "echo late", options(server, { commandTimeoutMs: 10_000 }));
    server.setBehaviour("normal");
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.stdout, "late\n");
  });

  test("canned answers (as the bench uses them)", async (t) => {
    const canned = await startSsh2TestServer({ answer: { stdout: "up 3 days\n", stderr: "warn\n", code: 0 } });
    t.after(() => canned.stop());
    const r = await runOnHost(target(canned), "uptime", options(canned));
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual([r.stdout, r.stderr, r.code], ["up 3 days\n", "warn\n", 0]);
    assert.equal(canned.connections, 1);
  });
});

describe("private keys", () => {
  const spec = {
    name: "web1",
    address: "127.0.0.1",
    port: 1,
    user: "root",
    hostKey: sha256Fingerprint(randomBytes(51)),
  };
  const opts = (privateKey: Buffer | string): RunOptions => ({
    privateKey,
    connectTimeoutMs: 1_000,
    commandTimeoutMs: 1_000,
  });

  test("garbage, an empty key and a public key: key-file, before connecting", async () => {
    const pair = generateEd25519KeyPair();
    for (const bad of [Buffer.from("not a key at all"), Buffer.alloc(0), pair.public]) {
      const r = await runOnHost(spec, "true", opts(bad));
      expectFailure(r, "key-file");
    }
  });

  test("a passphrase-protected key: key-file, saying so", { skip: !HAS_KEYGEN && "ssh-keygen missing" }, async () => {
    const file = join(work, "encrypted_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret", "-f", file], { stdio: "ignore" });
    const r = await runOnHost(spec, "true", opts(readFileSync(file)));
    expectFailure(r, "key-file");
    assert.match(r.message, /passphrase/);
    const read = await readPrivateKey(file);
    assert.equal(read.ok, false);
  });

  test("readPrivateKey: a missing file is key-file; a good file comes back", async () => {
    const missing = await readPrivateKey(join(work, "nope"));
    assert.equal(missing.ok, false);
    assert.match(!missing.ok ? missing.message : "", /does not exist/);
    const file = join(work, "good_key");
    writeFileSync(file, generateEd25519KeyPair().private);
    const good = await readPrivateKey(file);
    assert.ok(good.ok);
  });
});

describe("fingerprints", () => {
  test("sha256Fingerprint matches ssh-keygen -lf", { skip: !HAS_KEYGEN && "ssh-keygen missing" }, () => {
    const file = join(work, "fp_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file], { stdio: "ignore" });
    const line = readFileSync(`${file}.pub`, "utf8");
    const printed = execFileSync("ssh-keygen", ["-lf", `${file}.pub`], { encoding: "utf8" }).split(/\s+/)[1];
    const blob = Buffer.from(line.split(" ")[1] ?? "", "base64");
    assert.equal(sha256Fingerprint(blob), printed);
    assert.equal(fingerprintOfPublicKeyLine(line), printed);
    assert.equal(keyTypeOf(blob), "ssh-ed25519");
  });

  test("a known key (fingerprint as ssh-keygen -lf printed it)", () => {
    const line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID/qauLcNjzdgFmAedvtFqOTIVnJd7BSMqM0kscl10Mg test";
    assert.equal(fingerprintOfPublicKeyLine(line), "SHA256:6IoJtehTfbC6mFJVvBtn8ZORd/jDn3vBZp46DYiD2CU");
    assert.equal(
      fingerprintOfPublicKeyLine("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAID/qauLcNjzdgFmAedvtFqOTIVnJd7BSMqM0kscl10Mg"),
      undefined,
    );
    assert.equal(fingerprintOfPublicKeyLine("garbage"), undefined);
  });

  test("isFingerprint and sameFingerprint", () => {
    const a = sha256Fingerprint(Buffer.from("a"));
    const b = sha256Fingerprint(Buffer.from("b"));
    assert.ok(isFingerprint(a));
    assert.ok(!a.endsWith("="));
    for (const bad of ["", "SHA256:", `${a}=`, a.slice(0, -1), a.replace("SHA256", "sha256"), "MD5:aa:bb", 42]) {
      assert.equal(isFingerprint(bad), false, String(bad));
    }
    assert.ok(sameFingerprint(a, a));
    assert.ok(!sameFingerprint(a, b));
    assert.ok(!sameFingerprint(a, a.toLowerCase()));
    assert.ok(!sameFingerprint(a, `${a}x`));
    assert.ok(!sameFingerprint(a, ""));
  });

  test("wrapScript keeps the script intact between the braces", () => {
    const wrapped = wrapScript("echo hi\nexit 4");
    assert.ok(wrapped.startsWith("{\n") && wrapped.endsWith("\n}\n"), wrapped);
    assert.ok(wrapped.includes("(\necho hi\nexit 4\n) </dev/null 3<&-\n"), wrapped);
  });
});

describe("mapWithConcurrency", () => {
  test("never more than the limit in flight, results in order", async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 25 }, (_, i) => i);
    const out = await mapWithConcurrency(items, 4, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, (n * 7) % 13));
      inFlight--;
      return n * 2;
    });
    assert.deepEqual(
      out,
      items.map((n) => n * 2),
    );
    assert.equal(peak, 4);
  });

  test("fewer items than the limit, and none", async () => {
    assert.deepEqual(await mapWithConcurrency([1, 2], 10, async (n) => n + 1), [2, 3]);
    assert.deepEqual(await mapWithConcurrency([], 3, async (n: number) => n), []);
  });

  test("the first error rejects, and no new calls start after it", async () => {
    const started: number[] = [];
    await assert.rejects(
      mapWithConcurrency([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
        started.push(n);
        await new Promise((r) => setTimeout(r, 5));
        if (n === 1) throw new Error("boom");
        return n;
      }),
      /boom/,
    );
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(started.length <= 3, started.join(","));
  });

  test("a bad limit throws", async () => {
    await assert.rejects(
      mapWithConcurrency([1], 0, async (n) => n),
      RangeError,
    );
    await assert.rejects(
      mapWithConcurrency([1], 1.5, async (n) => n),
      RangeError,
    );
  });
});
