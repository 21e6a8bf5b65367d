// #/settings: the room's settings, read only (thresholds, office hours, sampling, alerts, camera,
// servers, the dashboard, storage). No secrets come from the server.
import { api } from "../api.js";
import { el, number } from "../dom.js";
import { language, t } from "../i18n.js";
import { showError } from "../ui.js";

const range = (r, unit) =>
  r && (Number.isFinite(r.min) || Number.isFinite(r.max)) ? `${number(r.min)}–${number(r.max)} ${unit}` : "–";
/** Sunday = 0 (as Date#getDay) -> the language's short weekday name. */
const weekday = (d) =>
  new Intl.DateTimeFormat(language(), { weekday: "short", timeZone: "UTC" }).format(Date.UTC(2026, 0, 4 + (d % 7)));

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/**
 * Office hours as rows, days with the same hours together ("Mon–Fri  07:00–19:00"): from
 * windows ([{ day: "mon", spans: [["07:00", "19:00"]] }]), else days with one start-end.
 */
function officeRows(oh) {
  if (Array.isArray(oh.windows)) {
    const open = oh.windows
      .map((w) => ({ day: DAYS.indexOf(w.day), hours: (w.spans ?? []).map(([a, b]) => `${a}–${b}`).join(", ") }))
      .filter((w) => w.day >= 0)
      .sort((a, b) => a.day - b.day);
    const groups = [];
    for (const w of open) {
      const last = groups.at(-1);
      if (last && last.hours === w.hours && last.to === w.day - 1) last.to = w.day;
      else groups.push({ from: w.day, to: w.day, hours: w.hours });
    }
    if (groups.length === 0) return [[t("web-settings-days"), t("web-settings-closed")]];
    return groups.map((g) => [g.from === g.to ? weekday(g.from) : `${weekday(g.from)}–${weekday(g.to)}`, g.hours]);
  }
  const days = Array.isArray(oh.days)
    ? oh.days.map((d) => weekday(DAYS.includes(d) ? DAYS.indexOf(d) : d)).join(", ")
    : oh.days;
  return [
    [t("web-settings-days"), days],
    [t("web-settings-hours"), oh.start && oh.end ? `${oh.start}–${oh.end}` : null],
  ];
}

const minutes = (ms) => (Number.isFinite(ms) ? t("web-minutes", { count: Math.round(ms / 60_000) }) : "–");

function group(title, rows) {
  return el(
    "section",
    { class: "card settings-group" },
    el("h3", { text: title }),
    el(
      "dl",
      {},
      rows
        .filter(([, value]) => value !== undefined && value !== null && value !== "")
        .map(([label, value]) => [el("dt", { text: label }), el("dd", { text: String(value) })]),
    ),
  );
}

export function render(main) {
  const controller = new AbortController();
  const box = el("div", { class: "settings", testid: "settings" });
  main.append(el("h2", { text: t("web-nav-settings") }), box);
  (async () => {
    try {
      const s = await api("/api/settings", { signal: controller.signal });
      const th = s.thresholds ?? {};
      const hy = s.hysteresis ?? {};
      const oh = s.officeHours ?? {};
      box.replaceChildren(
        group(t("web-settings-climate"), [
          [t("web-settings-temperature-warn"), range(th.temperatureC?.warn, "°C")],
          [t("web-settings-temperature-critical"), range(th.temperatureC?.critical, "°C")],
          [t("web-settings-humidity-warn"), range(th.humidityPct?.warn, "%")],
          [t("web-settings-humidity-critical"), range(th.humidityPct?.critical, "%")],
          [
            t("web-settings-hysteresis"),
            typeof hy === "object"
              ? [hy.temperatureC ?? hy.temperature, hy.humidityPct ?? hy.humidity]
                  .filter((v) => v !== undefined)
                  .join(" / ")
              : hy,
          ],
          [t("web-settings-sampling"), s.sampling?.cron],
        ]),
        group(t("web-settings-office-hours"), [...officeRows(oh), [t("web-settings-time-zone"), oh.timeZone]]),
        group(t("web-settings-alerts"), [
          [t("web-settings-min-duration"), minutes(s.alerts?.minDurationMs)],
          [t("web-settings-remind-every"), minutes(s.alerts?.remindEveryMs)],
        ]),
        group(t("web-settings-camera"), [
          [t("web-settings-driver"), s.camera?.driver],
          [t("web-settings-size"), s.camera?.width && s.camera?.height ? `${s.camera.width}×${s.camera.height}` : null],
          [
            t("web-settings-clip"),
            Number.isFinite(s.camera?.clipSeconds) ? t("web-seconds", { count: s.camera.clipSeconds }) : null,
          ],
        ]),
        group(t("web-settings-servers"), [
          [
            t("web-settings-check-every"),
            Number.isFinite(s.servers?.checkMinutes) ? t("web-minutes", { count: s.servers.checkMinutes }) : null,
          ],
          [t("web-settings-server-count"), s.servers?.count],
        ]),
        group(t("web-settings-dashboard"), [
          [t("web-settings-public-url"), s.web?.publicUrl ?? t("web-settings-none")],
          [
            t("web-settings-login-minutes"),
            Number.isFinite(s.web?.loginMinutes) ? t("web-minutes", { count: s.web.loginMinutes }) : null,
          ],
          [
            t("web-settings-session-hours"),
            Number.isFinite(s.web?.sessionHours) ? t("web-hours", { count: s.web.sessionHours }) : null,
          ],
          [t("web-settings-storage"), s.storage?.kind],
        ]),
      );
    } catch (error) {
      if (error.name !== "AbortError") showError(error);
    }
  })();
  return () => controller.abort();
}
