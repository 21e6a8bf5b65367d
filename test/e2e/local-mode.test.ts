/**
 * Local mode as a newcomer starts it (`main.ts` without a token, in a child process), driven
 * through the page's HTTP API the way the page does: the session token, the chats, the
 * buttons, the hardware panel and the simulated servers, and every refusal (no token, a
 * foreign Host or Origin, bad JSON, unknown users, bad card UIDs, unknown actions).
 * The browser itself is tested in browser.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { LOCAL_GROUP } from "../../local/local-mode.ts";
import { localPageUrl, type Running, startConsole } from "../support/console-process.ts";

interface PageMessage {
  chat_id: number;
  message_id: number;
  from: { id: number; is_bot: boolean; first_name: string };
  text?: string;
  caption?: string;
  media?: { kind: string; url: string; mime?: string };
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] };
  edited: boolean;
  deleted: boolean;
}
interface PageState {
  bot: { username: string };
  personas: { id: number; first_name: string; role: string }[];
  groups: { id: number; title: string; members: number[] }[];
  messages: Record<string, PageMessage[]>;
  commands: Record<string, { command: string }[]>;
  hardware: {
    climate: { last: { temperatureC: number } | null; broken: boolean };
    door: { cards: { uid: string; name: string }[] };
    lcd: { lines: string[] };
    servers: { name: string; up: boolean; simulated: boolean; lastCheck: { ok: boolean } | null }[];
  };
}

/** The page's files (local/web/public). */
const PUBLIC = fileURLToPath(new URL("../../local/web/public/", import.meta.url));
const ADA = 1001;
const LINUS = 1002;
const MALLORY = 6666;
const GROUP = LOCAL_GROUP.id;

describe("local mode over HTTP (the console process without a token)", () => {
  let run: Running;
  let url: URL;
  let cookie = "";
  const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-local-")), "data");

  const call = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (cookie && !headers.has("cookie")) headers.set("cookie", cookie);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    const res = await fetch(new URL(path, url.origin), {
      ...init,
      headers,
      redirect: "manual",
      ...(init.json !== undefined ? { method: "POST", body: JSON.stringify(init.json) } : {}),
    });
    const type = res.headers.get("content-type") ?? "";
    const body = type.includes("json") ? ((await res.json()) as Record<string, unknown>) : await res.text();
    return { status: res.status, headers: res.headers, body };
  };
  const state = async () => (await call("/api/state")).body as unknown as PageState;
  const waitFor = async <T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; console output:\n${run.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const botMessage = (chat: number, re: RegExp, after = 0) =>
    waitFor(async () => {
      const s = await state();
      return (s.messages[String(chat)] ?? []).find(
        (m) => m.from.is_bot && m.message_id > after && re.test(m.text ?? m.caption ?? ""),
      );
    }, `a bot message matching ${re} in chat ${chat}`);
  const lastId = async (chat: number) => (await state()).messages[String(chat)]?.at(-1)?.message_id ?? 0;

  before(async () => {
    run = startConsole({ DATA_DIR: dataDir, HARDWARE: "sim", LOG_LEVEL: "info", TIMEZONE: "UTC" });
    url = await localPageUrl(run);
  });
  after(async () => {
    run.child.kill("SIGTERM");
    const { code } = await run.exited;
    assert.equal(code, 0, run.output().slice(-2000));
  });

  test("the page needs the token: refused without it, the printed address sets a strict cookie", async () => {
    const without = await call("/", { headers: { cookie: "" } });
    assert.equal(without.status, 401);
    assert.match(String(without.body), /Open the address printed at start-up/);
    const api = await call("/api/state", { headers: { cookie: "seroma_local=wrong" } });
    assert.equal(api.status, 401);
    assert.equal((api.body as { ok: boolean }).ok, false);
    const wrong = await call("/?token=not-the-token");
    assert.equal(wrong.status, 401);

    const login = await call(url.pathname + url.search);
    assert.equal(login.status, 303);
    assert.equal(login.headers.get("location"), "/");
    const setCookie = login.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /^seroma_local=[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=\/$/);
    cookie = setCookie.split(";")[0] ?? "";

    const page = await call("/");
    assert.equal(page.status, 200);
    assert.match(String(page.body), /<script type="module" src="\/?app\.js"/);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.equal(page.headers.get("x-frame-options"), "DENY");
    // Every file of the page (its ES modules too) is served with its type, and nothing else.
    const types = new Map([
      [".js", /^text\/javascript; charset=utf-8$/],
      [".css", /^text\/css; charset=utf-8$/],
      [".html", /^text\/html; charset=utf-8$/],
      [".svg", /^image\/svg\+xml$/],
    ]);
    const assets = readdirSync(PUBLIC).map((name) => `/${name}`);
    assert.ok(assets.filter((a) => a.endsWith(".js")).length > 1, "the page is split into modules");
    for (const asset of assets) {
      const r = await call(asset);
      assert.equal(r.status, 200, asset);
      assert.match(r.headers.get("content-type") ?? "", types.get(extname(asset)) ?? /^$/, asset);
      // (SVG's namespace name http://www.w3.org/2000/svg is an identifier, never fetched.)
      assert.doesNotMatch(
        String(r.body),
        /https?:\/\/(?!127\.0\.0\.1|localhost|t\.me\/|www\.w3\.org\/2000\/svg)[a-z0-9.-]+\.[a-z]{2,}\//i,
        `${asset} loads nothing from outside`,
      );
    }
    assert.equal((await call("/../package.json")).status, 404);
    assert.equal((await call("/server.ts")).status, 404);
    // Paths are looked up in a Map: Object.prototype's names are unknown paths like any other.
    for (const name of ["/__proto__", "/constructor", "/toString", "/hasOwnProperty"]) {
      const r = await call(name);
      assert.equal(r.status, 404, name);
      assert.match(String(r.body), /Not found/, name);
    }
  });

  test("a foreign Host (DNS rebinding), a foreign Origin, or a non-JSON POST is refused", async () => {
    // fetch() will not send a Host of our choosing: a raw request, as a DNS-rebinding page's would arrive.
    const rebinding = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: "/api/state",
          headers: { host: `evil.example:${url.port}`, cookie },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(rebinding, 421);
    const csrf = await call("/api/messages", {
      json: { from: ADA, chat_id: ADA, text: "/status" },
      headers: { origin: "http://evil.example" },
    });
    assert.equal(csrf.status, 403);
    assert.match(String((csrf.body as { error: string }).error), /other sites/);
    const form = await call("/api/messages", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "from=1001&chat_id=1001&text=/status",
    });
    assert.equal(form.status, 415);
    const garbage = await call("/api/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(garbage.status, 400);
    assert.equal((garbage.body as { error: string }).error, "The request body is not valid JSON.");
    const messagesBefore = (await state()).messages[String(ADA)]?.length ?? 0;
    assert.equal((await state()).messages[String(ADA)]?.length ?? 0, messagesBefore, "nothing was sent");
  });

  test("state: the bot, three personas, their chats and the group, command menus, the hardware", async () => {
    const s = await state();
    assert.equal(s.bot.username, "seroma_local_bot");
    assert.deepEqual(
      s.personas.map((p) => `${p.first_name}:${p.role}`),
      ["Ada:admin", "Linus:staff", "Mallory:stranger"],
    );
    assert.deepEqual(
      Object.keys(s.messages).sort(),
      [String(GROUP), String(ADA), String(LINUS), String(MALLORY)].sort(),
    );
    // The staff group's members, as the console's config says (admins and staff): Mallory is not
    // in it, so her Telegram (the page) does not list it.
    assert.deepEqual(
      s.groups.map((g) => `${g.title}:${g.members.join(",")}`),
      [`Server room staff:${ADA},${LINUS}`],
    );
    assert.ok(
      s.commands[String(ADA)]?.some((c) => c.command === "status"),
      JSON.stringify(s.commands),
    );
    assert.match(s.messages[String(GROUP)]?.[0]?.text ?? "", /Seroma started/);
    assert.deepEqual(
      s.hardware.door.cards.map((c) => `${c.name} ${c.uid}`),
      ["Ada 04:A1:B2:C3"],
    );
    assert.deepEqual(
      s.hardware.servers.map((h) => `${h.name}:${h.simulated}`),
      ["backup-1:true", "db-1:true", "web-1:true"],
    );
    assert.equal(s.hardware.lcd.lines.length, 2);
  });

  test("a persona writes /status; pressing Refresh edits the reply in place", async () => {
    const sent = await call("/api/messages", { json: { from: ADA, chat_id: ADA, text: "/status" } });
    assert.equal(sent.status, 200);
    const mine = (sent.body as { message: PageMessage }).message;
    assert.equal(mine.text, "/status");
    const reply = await botMessage(ADA, /server-room · climate/, mine.message_id);
    // The room warms up: Refresh has something new to show.
    await call("/api/hardware", { json: { device: "climate", action: "set", temperatureC: 24.2 } });
    const refresh = reply.reply_markup?.inline_keyboard.flat().find((b) => /Refresh/.test(b.text));
    assert.ok(refresh?.callback_data, JSON.stringify(reply.reply_markup));
    const pressed = await call("/api/press", {
      json: { from: ADA, chat_id: ADA, message_id: reply.message_id, data: refresh.callback_data },
    });
    assert.equal(pressed.status, 200);
    const edited = await waitFor(async () => {
      const m = (await state()).messages[String(ADA)]?.find((x) => x.message_id === reply.message_id);
      return m?.edited && m;
    }, "the status message to be edited");
    assert.match(edited.text ?? "", /24\.2 °C/);
    await call("/api/hardware", { json: { device: "climate", action: "release" } });

    const gone = await call("/api/press", {
      json: { from: ADA, chat_id: ADA, message_id: reply.message_id, data: "no-such-button" },
    });
    assert.equal(gone.status, 400);
    assert.match((gone.body as { error: string }).error, /no longer there/);
  });

  test("unknown users, chats they are not in, and empty messages are refused with a reason", async () => {
    const cases: [unknown, RegExp][] = [
      [{ from: 42, chat_id: 42, text: "/status" }, /Unknown user 42: pick one of Ada \(1001\)/],
      [{ from: LINUS, chat_id: ADA, text: "hi" }, /Linus cannot write in chat 1001/],
      [{ from: MALLORY, chat_id: GROUP, text: "hi" }, /Mallory is not a member of Server room staff/],
      [{ from: ADA, chat_id: ADA, text: "   " }, /Type a message first/],
      [{ from: ADA, chat_id: ADA, text: "x".repeat(4097) }, /at most 4096 characters/],
    ];
    for (const [json, re] of cases) {
      const r = await call("/api/messages", { json });
      assert.equal(r.status, 400, JSON.stringify(json).slice(0, 80));
      assert.match((r.body as { error: string }).error, re);
    }
    // The refusals a person meets on the page come with a code, for the page to say them in its language.
    const stranger = await call("/api/messages", { json: { from: MALLORY, chat_id: GROUP, text: "hi" } });
    assert.deepEqual(
      { code: (stranger.body as { code: string }).code, params: (stranger.body as { params: unknown }).params },
      { code: "not-member", params: { name: "Mallory", group: "Server room staff" } },
    );
    const empty = await call("/api/messages", { json: { from: ADA, chat_id: ADA, text: " " } });
    assert.equal((empty.body as { code: string }).code, "message-empty");
    // Mallory, not on the allowlist, gets the bot's own answer in her private chat.
    await call("/api/messages", { json: { from: MALLORY, chat_id: MALLORY, text: "/status" } });
    await botMessage(MALLORY, /6666/);
  });

  test("the panel: an unknown card at the door raises the alert in the group, shown on the LCD", async () => {
    const after = await lastId(GROUP);
    const tap = await call("/api/hardware", { json: { device: "door", action: "tap", uid: "de:ad:be:ef" } });
    assert.equal(tap.status, 200, JSON.stringify(tap.body));
    assert.match(String((tap.body as { info: string }).info), /Card DE:AD:BE:EF tapped/);
    assert.deepEqual((tap.body as { notice: unknown }).notice, { code: "door-tap", params: { uid: "DE:AD:BE:EF" } });
    await botMessage(GROUP, /Unknown card DE:AD:BE:EF at the door/, after);
    await waitFor(async () => /Unknown card/.test((await state()).hardware.lcd.lines.join("\n")), "the LCD");
  });

  test("the panel: a hot room raises a climate alert; a broken sensor is reported; a server taken down too", async () => {
    let after = await lastId(GROUP);
    const hot = await call("/api/hardware", { json: { device: "climate", action: "set", temperatureC: 35 } });
    assert.equal(hot.status, 200, JSON.stringify(hot.body));
    assert.match(String((hot.body as { info: string }).info), /35\.0 °C/);
    await botMessage(GROUP, /Temperature/i, after);
    assert.equal((await state()).hardware.climate.last?.temperatureC, 35);
    await call("/api/hardware", { json: { device: "climate", action: "release" } });

    after = await lastId(GROUP);
    const down = await call("/api/hardware", { json: { device: "server", name: "web-1", action: "down" } });
    assert.equal(down.status, 200, JSON.stringify(down.body));
    await botMessage(GROUP, /web-1/, after);
    await waitFor(async () => {
      const web = (await state()).hardware.servers.find((h) => h.name === "web-1");
      return web && !web.up && web.lastCheck && !web.lastCheck.ok;
    }, "web-1 shown down with a failed check");
    after = await lastId(GROUP);
    await call("/api/hardware", { json: { device: "server", name: "web-1", action: "up" } });
    await botMessage(GROUP, /web-1/, after);

    const broken = await call("/api/hardware", { json: { device: "climate", action: "break" } });
    assert.equal(broken.status, 200);
    assert.equal((broken.body as { hardware: PageState["hardware"] }).hardware.climate.broken, true);
    await call("/api/hardware", { json: { device: "climate", action: "repair" } });
  });

  test("the panel: motion while armed raises an alert with the camera's photo; a broken camera is said plainly", async () => {
    await call("/api/messages", { json: { from: ADA, chat_id: ADA, text: "/arm" } });
    await botMessage(ADA, /Armed/);
    const after = await lastId(GROUP);
    const moved = await call("/api/hardware", { json: { device: "motion", action: "trigger" } });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.match(String((moved.body as { info: string }).info), /Someone moves in the room/);
    const alert = await botMessage(GROUP, /Motion in the room while armed/, after);
    assert.equal(alert.media?.kind, "photo", "the alert is the photo");
    await call("/api/messages", { json: { from: ADA, chat_id: ADA, text: "/disarm" } });
    await botMessage(ADA, /Disarmed/);

    const unplugged = await call("/api/hardware", { json: { device: "camera", action: "break" } });
    assert.equal((unplugged.body as { hardware: { camera: { broken: boolean } } }).hardware.camera.broken, true);
    const before = await lastId(LINUS);
    await call("/api/messages", { json: { from: LINUS, chat_id: LINUS, text: "/snapshot" } });
    await botMessage(LINUS, /camera/i, before + 1);
    const reply = (await state()).messages[String(LINUS)]?.filter((m) => m.from.is_bot && m.message_id > before);
    assert.ok(
      reply?.some((m) => /📷❌/.test(m.text ?? "")),
      JSON.stringify(reply?.map((m) => m.text)),
    );
    await call("/api/hardware", { json: { device: "camera", action: "repair" } });
  });

  test("panel refusals say what is wrong and change nothing", async () => {
    const cases: [unknown, RegExp][] = [
      [{ device: "door", action: "tap", uid: "xyz" }, /"xyz" is not a card UID: 4, 7 or 10 bytes in hex/],
      [{ device: "door", action: "tap" }, /is not a card UID/],
      [{ device: "climate", action: "set", temperatureC: "hot" }, /Temperature \(°C\) must be a number from -40 to 80/],
      [{ device: "climate", action: "set" }, /Give a temperature, a humidity, or both/],
      [{ device: "toaster", action: "pop" }, /Unknown panel action "toaster\/pop"/],
      [{ device: "server", name: "nope", action: "down" }, /No simulated server called "nope"/],
      [{ device: "server", name: "db-1", action: "reboot" }, /Unknown server action "reboot"/],
      [{ device: "server", name: "db-1", action: "fail-service", service: "nginx" }, /db-1 has no service "nginx"/],
    ];
    for (const [json, re] of cases) {
      const r = await call("/api/hardware", { json });
      assert.equal(r.status, 400, JSON.stringify(json));
      assert.match((r.body as { error: string }).error, re);
    }
    // With a code where the page can say it in its language.
    const uid = await call("/api/hardware", { json: { device: "door", action: "tap", uid: "xyz" } });
    assert.deepEqual(
      { code: (uid.body as { code: string }).code, params: (uid.body as { params: unknown }).params },
      { code: "card-uid", params: { uid: "xyz" } },
    );
  });

  test("media: a snapshot's photo is served (whole and by range), unknown files are 404", async () => {
    await call("/api/messages", { json: { from: LINUS, chat_id: LINUS, text: "/snapshot" } });
    const photo = await waitFor(async () => {
      const s = await state();
      return s.messages[String(LINUS)]?.find((m) => m.media?.kind === "photo");
    }, "a photo in Linus's chat");
    assert.ok(photo.media);
    const whole = await fetch(new URL(photo.media.url, url.origin), { headers: { cookie } });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("content-type"), "image/jpeg");
    const bytes = Buffer.from(await whole.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8], "a JPEG");
    const part = await fetch(new URL(photo.media.url, url.origin), { headers: { cookie, range: "bytes=0-9" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 0-9/${bytes.length}`);
    assert.equal(Buffer.from(await part.arrayBuffer()).length, 10);
    assert.equal((await call("/api/files/photo-999999")).status, 404);
    assert.equal((await call("/api/files/%E0%A4%A")).status, 400, "a malformed id is a bad request, not a crash");
  });

  test("the event stream carries new messages and edits as they happen", async () => {
    const controller = new AbortController();
    const res = await fetch(new URL("/api/events", url.origin), { headers: { cookie }, signal: controller.signal });
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = res.body?.getReader();
    assert.ok(reader);
    let text = "";
    const read = (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        const reply =
          /event: message\ndata: .*"from":\{"id":\d+,"first_name":"Seroma","is_bot":true\}.*server-room · climate/;
        if (reply.test(text) && /event: hardware\n/.test(text)) return;
      }
    })();
    await call("/api/messages", { json: { from: LINUS, chat_id: LINUS, text: "/status" } });
    await Promise.race([
      read,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no event in 10 s; got:\n${text}`)), 10_000)),
    ]);
    controller.abort();
    assert.match(
      text,
      /event: message\ndata: \{"chat_id":1002,"message_id":\d+,"from":\{"id":1002,"first_name":"Linus","is_bot":false\}/,
    );
    assert.match(text, /event: hardware\ndata: \{"officeHours"/, "the panel's state on connect");
  });

  test("a button's answer is a toast for the presser, in the chat of the button", async () => {
    const after = await lastId(LINUS);
    await call("/api/messages", { json: { from: LINUS, chat_id: LINUS, text: "/status" } });
    const reply = await botMessage(LINUS, /server-room · climate/, after);
    const refresh = reply.reply_markup?.inline_keyboard.flat().find((b) => /Refresh/.test(b.text));
    assert.ok(refresh?.callback_data);

    const controller = new AbortController();
    const res = await fetch(new URL("/api/events", url.origin), { headers: { cookie }, signal: controller.signal });
    const reader = res.body?.getReader();
    assert.ok(reader);
    let text = "";
    const toast = /event: toast\ndata: (.*)\n/;
    const read = (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        if (toast.test(text)) return;
      }
    })();
    await call("/api/press", {
      json: { from: LINUS, chat_id: LINUS, message_id: reply.message_id, data: refresh.callback_data },
    });
    await Promise.race([
      read,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no toast in 10 s; got:\n${text}`)), 10_000)),
    ]);
    controller.abort();
    const data = JSON.parse(toast.exec(text)?.[1] ?? "{}") as Record<string, unknown>;
    assert.equal(data.user_id, LINUS);
    assert.equal(data.chat_id, LINUS, "the chat the button was pressed in");
    assert.equal(typeof data.text, "string");
    assert.equal(data.show_alert, false);
  });
});
