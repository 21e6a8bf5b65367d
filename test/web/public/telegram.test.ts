/**
 * The Mini App bridge's pure parts (web/public/telegram.js): the launch parameters in the hash as
 * Telegram writes them, the theme mapped to CSS variables (only colours get through), and events
 * posted through the native proxy or the parent frame.
 */
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

type Theme = Record<string, unknown>;
interface TelegramModule {
  parseHash(hash: string): { path: string; params: Record<string, string> };
  launchParams(
    hash: string,
  ): { initData: string; theme: Theme; platform: string; version: string; path: string } | null;
  parseTheme(json: unknown): Theme;
  themeVariables(theme: Theme): Record<string, string>;
  isDark(hex: string): boolean;
  postEvent(eventType: string, eventData?: unknown): boolean;
}

const PUBLIC = fileURLToPath(new URL("../../../web/public/", import.meta.url));
const tg = (await import(pathToFileURL(`${PUBLIC}telegram.js`).href)) as TelegramModule;

const initData =
  'query_id=AAH&user={"id":1001,"first_name":"Ada","language_code":"ja"}&auth_date=1765000000&hash=abc123';
const theme = { bg_color: "#17212b", text_color: "#f5f5f5", hint_color: "#708499", button_color: "#5288c1" };
const hash = `#tgWebAppData=${encodeURIComponent(initData)}&tgWebAppVersion=8.0&tgWebAppPlatform=android&tgWebAppThemeParams=${encodeURIComponent(JSON.stringify(theme))}`;

describe("Telegram Mini App bridge", () => {
  test("launch parameters: initData exactly as signed, the theme, platform and version", () => {
    const launch = tg.launchParams(hash);
    assert.ok(launch);
    assert.equal(launch.initData, initData);
    assert.deepEqual(launch.theme, theme);
    assert.equal(launch.platform, "android");
    assert.equal(launch.version, "8.0");
    assert.equal(launch.path, "");
  });

  test("a route before '?' is kept (Telegram appends its parameters to the app's own hash)", () => {
    const launch = tg.launchParams(`#/door?${hash.slice(1)}`);
    assert.equal(launch?.path, "/door");
    assert.equal(launch?.initData, initData);
  });

  test("outside Telegram: no launch; a plain route is a path", () => {
    assert.equal(tg.launchParams("#/room"), null);
    assert.equal(tg.launchParams(""), null);
    assert.deepEqual(tg.parseHash("#/media"), { path: "/media", params: {} });
  });

  test("an unreadable theme is an empty one", () => {
    assert.deepEqual(tg.parseTheme("{not json"), {});
    assert.deepEqual(tg.parseTheme("[1,2]"), {});
    assert.deepEqual(tg.parseTheme(undefined), {});
  });

  test("theme -> CSS variables: known keys, colours only, and the scheme after the background", () => {
    const vars = tg.themeVariables({
      ...theme,
      link_color: "red; background: url(https://evil.example/x)",
      secondary_bg_color: "#ABC",
      header_bg_color: "#000000",
    });
    assert.deepEqual(vars, {
      "--bg": "#17212b",
      "--text": "#f5f5f5",
      "--hint": "#708499",
      "--button": "#5288c1",
      "--secondary-bg": "#abc",
      "color-scheme": "dark",
    });
    assert.equal(tg.themeVariables({ bg_color: "#ffffff" })["color-scheme"], "light");
    assert.deepEqual(tg.themeVariables({}), {});
    assert.equal(tg.isDark("#000"), true);
    assert.equal(tg.isDark("#f0f0f0"), false);
  });

  describe("postEvent", () => {
    const saved = (globalThis as { window?: unknown }).window;
    afterEach(() => {
      (globalThis as { window?: unknown }).window = saved;
    });

    test("through the native proxy, data as JSON", () => {
      const sent: unknown[] = [];
      const w: Record<string, unknown> = {
        TelegramWebviewProxy: { postEvent: (type: string, data: string) => sent.push([type, data]) },
      };
      w.parent = w;
      (globalThis as { window?: unknown }).window = w;
      assert.equal(tg.postEvent("web_app_ready"), true);
      assert.deepEqual(sent, [["web_app_ready", "{}"]]);
    });

    test("in an iframe (Telegram Web): a message to the parent", () => {
      const sent: unknown[] = [];
      const parent = { postMessage: (message: string, origin: string) => sent.push([message, origin]) };
      (globalThis as { window?: unknown }).window = { parent };
      assert.equal(tg.postEvent("web_app_expand"), true);
      assert.deepEqual(sent, [[JSON.stringify({ eventType: "web_app_expand", eventData: {} }), "*"]]);
    });

    test("a plain browser tab: nothing to post to", () => {
      const w: Record<string, unknown> = {};
      w.parent = w;
      (globalThis as { window?: unknown }).window = w;
      assert.equal(tg.postEvent("web_app_ready"), false);
    });
  });
});
