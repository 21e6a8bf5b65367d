// Seroma's dashboard: starts the page (Mini App sign-in or the login cookie, /api/me, the
// language), draws the shell (tab bar, live indicator, language switch), routes #/room,
// #/door… to the views and hands /api/events to them. Plain ES modules, no build step:
//   api.js       requests, session, CSRF     i18n.js     the web-* Fluent messages
//   telegram.js  Mini App launch and events  sse.js      the event stream over fetch
//   multipart.js the live camera's parts     time.js     times in the room's zone
//   dom.js       elements, shared context    ui.js       errors and notices
//   views/*.js   one module per view: render(main) returns the view's cleanup
import { ApiError, api, authHeaders, hasToken, setCsrf, setLanguage, setToken } from "./api.js";
import { bus, ctx, el } from "./dom.js";
import {
  browserLanguage,
  chooseLanguage,
  chosenLanguage,
  LANGUAGES,
  language,
  loadLanguage,
  t,
  translate,
} from "./i18n.js";
import { icon } from "./icons.js";
import { connect } from "./sse.js";
import { install, launchParams, parseTheme } from "./telegram.js";
import { hideError, showError } from "./ui.js";
import * as room from "./views/room.js";

/** The room comes with the page (first screen); the other views load when first opened. */
const VIEWS = {
  room: async () => room,
  door: () => import("./views/door.js"),
  servers: () => import("./views/servers.js"),
  media: () => import("./views/media.js"),
  live: () => import("./views/live.js"),
  staff: () => import("./views/staff.js"),
  settings: () => import("./views/settings.js"),
};
const LABELS = {
  room: "web-nav-room",
  door: "web-nav-door",
  servers: "web-nav-servers",
  media: "web-nav-media",
  live: "web-nav-live",
  staff: "web-nav-staff",
  settings: "web-nav-settings",
};
const LANGUAGE_NAMES = { en: "web-language-en", ja: "web-language-ja" };
const LAUNCH_KEY = "seroma-launch";

const main = document.getElementById("view");
const nav = document.getElementById("nav");
let active = null;
let stopEvents = null;

const isAdmin = () => ctx.me?.user?.role === "admin";

function routeName() {
  const name = /^#\/([a-z]+)/.exec(location.hash)?.[1];
  if (!name || !VIEWS[name] || (name === "staff" && !isAdmin())) return "room";
  return name;
}

let routing = 0;

async function route() {
  const name = routeName();
  const turn = ++routing;
  active?.cleanup?.();
  active = null;
  hideError();
  main.replaceChildren();
  main.dataset.view = name;
  window.scrollTo(0, 0);
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${t(LABELS[name])} · ${t("web-title")}`;
  let view;
  try {
    view = await VIEWS[name]();
  } catch {
    showError(new ApiError(0, "unreachable", ""));
    return;
  }
  if (turn !== routing) return; // another view was chosen meanwhile
  active = { name, cleanup: view.render(main) };
}

function drawNav() {
  nav.replaceChildren(
    ...Object.keys(VIEWS)
      .filter((name) => name !== "staff" || isAdmin())
      .map((name) =>
        el(
          "a",
          { testid: `nav-${name}`, data: { view: name }, attrs: { href: `#/${name}` } },
          icon(name),
          el("span", { text: t(LABELS[name]) }),
        ),
      ),
  );
  nav.hidden = false;
}

function drawLanguageSwitch() {
  const box = document.getElementById("language");
  box.replaceChildren(
    ...LANGUAGES.map((lang) =>
      el("button", {
        text: t(LANGUAGE_NAMES[lang]),
        attrs: { type: "button", lang, "aria-pressed": String(lang === language()) },
        on: {
          click: async () => {
            if (lang === language()) return;
            chooseLanguage(lang);
            await loadLanguage(lang);
            redraw();
          },
        },
      }),
    ),
  );
}

let loginShown = null; // the error the login screen was shown for

function redraw() {
  setLanguage(language());
  translate(document);
  drawLanguageSwitch();
  if (loginShown) showLogin(loginShown);
  else if (ctx.me) {
    drawNav();
    route();
  }
}

function setLive(state) {
  const node = document.getElementById("live");
  node.dataset.state = state;
  node.textContent = t(state === "live" ? "web-live-on" : "web-live-reconnecting");
}

/** The screen for a page without a session: how to get a login link from the bot. */
function showLogin(error) {
  loginShown = error ?? {};
  stopEvents?.();
  active?.cleanup?.();
  active = null;
  nav.hidden = true;
  document.getElementById("live").hidden = true;
  const username = ctx.me?.bot?.username ?? error?.data?.bot?.username ?? error?.data?.botUsername;
  const reason =
    error?.code === "session-ended"
      ? t("web-login-session-ended")
      : error?.code === "not-staff"
        ? t("web-login-not-staff")
        : error?.code === "init-data-expired"
          ? t("web-login-expired")
          : null;
  main.replaceChildren(
    el(
      "section",
      { class: "card login", testid: "login-needed" },
      el("h2", { text: t("web-login-title") }),
      reason && el("p", { class: "notice", text: reason }),
      el("p", { text: username ? t("web-login-how-bot", { bot: `@${username}` }) : t("web-login-how") }),
      el("p", { class: "hint", text: t("web-login-once") }),
    ),
  );
}

async function signIn(launch) {
  if (launch) {
    const answer = await api("/api/auth/telegram", { method: "POST", body: { initData: launch.initData } });
    if (answer.token) setToken(answer.token);
  }
  try {
    return await api("/api/me");
  } catch (error) {
    // A token kept from an earlier launch may have ended while the cookie still works.
    if (error instanceof ApiError && error.status === 401 && hasToken() && !launch) {
      setToken(null);
      return await api("/api/me");
    }
    throw error;
  }
}

function followEvents() {
  let hellos = 0;
  stopEvents = connect({
    url: "/api/events",
    headers: authHeaders,
    onState: setLive,
    onEvent: (name, data) => {
      // After a reconnection, events may have been missed: the open view reads its data again.
      if (name === "hello" && hellos++ > 0) bus.dispatchEvent(new CustomEvent("resync"));
      // The server ends the stream of a session that ended (card revoked): say how to log in again.
      if (name === "ended") {
        showLogin(new ApiError(401, data?.code ?? "session-ended", "", data));
        return;
      }
      bus.dispatchEvent(new CustomEvent(name, { detail: data }));
    },
    onAuthError: async (response) => {
      let data = null;
      try {
        data = await response.json();
      } catch {
        // no body
      }
      showLogin(new ApiError(response.status, data?.code ?? "session-ended", "", data));
    },
  });
}

async function start() {
  const launch = launchParams(location.hash);
  if (launch) {
    try {
      sessionStorage.setItem(LAUNCH_KEY, JSON.stringify({ theme: launch.theme, platform: launch.platform }));
    } catch {
      // not kept: a reload outside Telegram's hash gets the default theme
    }
    install(launch);
    // The hash becomes the page's route; the launch data is not left in the address.
    history.replaceState(null, "", `#${launch.path.startsWith("/") ? launch.path : "/room"}`);
  } else {
    try {
      const kept = JSON.parse(sessionStorage.getItem(LAUNCH_KEY) ?? "null");
      if (kept) install({ theme: parseTheme(kept.theme), platform: String(kept.platform ?? "unknown") });
    } catch {
      // nothing kept
    }
  }
  const firstLanguage = loadLanguage(chosenLanguage() ?? browserLanguage());
  let me;
  try {
    me = await signIn(launch);
  } catch (error) {
    await firstLanguage;
    translate(document);
    drawLanguageSwitch();
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) showLogin(error);
    else showError(error);
    return;
  }
  ctx.me = me;
  ctx.timeZone = me.room?.timeZone || "UTC";
  setCsrf(me.csrf);
  await firstLanguage;
  const wanted = chosenLanguage() ?? me.locale;
  if (wanted && wanted !== language()) await loadLanguage(wanted);
  document.getElementById("live").hidden = false;
  setLive("reconnecting");
  redraw();
  window.addEventListener("hashchange", route);
  followEvents();
}

document.getElementById("error-close").addEventListener("click", hideError);
bus.addEventListener("auth", (event) => showLogin(event.detail));
start();
