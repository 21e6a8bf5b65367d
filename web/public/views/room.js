// #/room: the temperature and humidity now (coloured by level), the door today, the open
// incidents (live, with Acknowledge and Mute) and the climate chart (24 h / 7 d).
import { api } from "../api.js";
import { climateChart } from "../chart.js";
import { bus, ctx, el, number, when } from "../dom.js";
import { language, t } from "../i18n.js";
import { showError } from "../ui.js";
import { incidentCard } from "./incidents.js";

const LEVELS = {
  ok: "web-level-ok",
  warn: "web-level-warn",
  critical: "web-level-critical",
  unknown: "web-level-unknown",
};

/** Which level a value is at under the room's thresholds (for live readings between fetches). */
export function levelOf(value, limits) {
  if (!Number.isFinite(value) || !limits) return "unknown";
  const outside = (range) =>
    range && ((Number.isFinite(range.min) && value < range.min) || (Number.isFinite(range.max) && value > range.max));
  if (outside(limits.critical)) return "critical";
  if (outside(limits.warn)) return "warn";
  return "ok";
}

export function render(main) {
  const controller = new AbortController();
  const state = { room: null, incidents: new Map(), range: "24h", chart: null, climateTimer: null, lastClimate: 0 };

  const temperature = el("section", { class: "card metric", testid: "room-temperature", data: { level: "unknown" } });
  const humidity = el("section", { class: "card metric", testid: "room-humidity", data: { level: "unknown" } });
  const doorBox = el("a", { class: "card metric door-summary", attrs: { href: "#/door" } });
  const sensorNote = el("p", { class: "notice", attrs: { hidden: true } });
  const incidentList = el("div", { class: "incidents" });
  const chartBox = el("div", { class: "chart", testid: "climate-chart", data: { range: state.range } });
  const chartNote = el("p", { class: "hint", attrs: { hidden: true } });
  /** The values under the chart's cursor. */
  const hover = el("span", { class: "hover", attrs: { "aria-live": "off" } });
  const onHover = (point) => {
    hover.textContent = point
      ? t("web-chart-point", { time: when(point.at), temperature: number(point.t), humidity: number(point.h) })
      : "";
  };
  const rangeButtons = ["24h", "7d"].map((range) =>
    el("button", {
      text: t(range === "24h" ? "web-chart-24h" : "web-chart-7d"),
      data: { range },
      attrs: { type: "button", "aria-pressed": String(range === state.range) },
      on: {
        click: () => {
          state.range = range;
          for (const b of rangeButtons) b.setAttribute("aria-pressed", String(b.dataset.range === range));
          loadClimate();
        },
      },
    }),
  );

  main.append(
    el("h2", { class: "visually-hidden", text: t("web-nav-room") }),
    el("div", { class: "metrics" }, temperature, humidity, doorBox),
    sensorNote,
    el("section", { class: "block" }, el("h2", { text: t("web-incidents-title") }), incidentList),
    el(
      "section",
      { class: "block" },
      el(
        "div",
        { class: "block-head" },
        el("h2", { text: t("web-chart-title") }),
        el("div", { class: "segmented", attrs: { role: "group", "aria-label": t("web-chart-range") } }, rangeButtons),
      ),
      el(
        "div",
        { class: "legend" },
        el("span", { class: "swatch temperature", text: t("web-chart-temperature") }),
        el("span", { class: "swatch humidity", text: t("web-chart-humidity") }),
        hover,
      ),
      chartBox,
      chartNote,
    ),
  );

  const metric = (node, label, value, unit, level, at) => {
    node.dataset.level = level;
    node.replaceChildren(
      el("span", { class: "metric-label", text: label }),
      el(
        "span",
        { class: "metric-value" },
        el("span", { class: "value", text: number(value) }),
        el("span", { class: "unit", text: unit }),
      ),
      el(
        "span",
        { class: "metric-level" },
        el("span", { class: "dot", attrs: { "aria-hidden": "true" } }),
        t(LEVELS[level] ?? LEVELS.unknown),
      ),
      at && el("span", { class: "hint", text: t("web-room-measured", { time: when(at) }) }),
    );
  };

  const drawReading = (reading, levels) => {
    metric(temperature, t("web-room-temperature"), reading?.temperatureC, "°C", levels.temperature, reading?.at);
    metric(humidity, t("web-room-humidity"), reading?.humidityPct, "%", levels.humidity, reading?.at);
  };

  const drawIncidents = () => {
    const list = [...state.incidents.values()].sort((a, b) => (b.openedAt ?? 0) - (a.openedAt ?? 0));
    incidentList.replaceChildren(
      ...(list.length === 0
        ? [el("p", { class: "empty", text: t("web-incidents-none") })]
        : list.map((incident) => incidentCard(incident, changed))),
    );
  };

  /** After Acknowledge or Mute: the server's answer, or on a refusal (done already…) the room again. */
  const changed = (incident, error) => {
    if (incident) state.incidents.set(incident.id, incident);
    if (error) loadRoom();
    else drawIncidents();
  };

  async function loadRoom() {
    try {
      const room = await api("/api/room", { signal: controller.signal });
      state.room = room;
      drawReading(room.reading, room.levels ?? {});
      // For the bench: first load to the room's numbers on screen.
      if (!performance.getEntriesByName("room-numbers").length) performance.mark("room-numbers");
      const door = room.door ?? {};
      doorBox.replaceChildren(
        el("span", { class: "metric-label", text: t("web-room-door") }),
        el("span", { class: "metric-value" }, el("span", { class: "value", text: String(door.inside ?? 0) })),
        el("span", {
          class: "hint",
          text: t("web-room-door-today", { people: door.inside ?? 0, entries: door.today ?? 0 }),
        }),
      );
      const sensor = room.sensor ?? {};
      sensorNote.hidden = sensor.ok !== false;
      sensorNote.textContent =
        sensor.ok === false ? t("web-room-sensor-failing", { error: sensor.lastError ?? "" }) : "";
      state.incidents = new Map((room.incidents ?? []).map((i) => [i.id, i]));
      drawIncidents();
    } catch (error) {
      if (error.name !== "AbortError") showError(error);
    }
  }

  async function loadClimate() {
    state.lastClimate = Date.now();
    chartBox.dataset.range = state.range;
    try {
      const climate = await api(`/api/climate?range=${state.range}`, { signal: controller.signal });
      const points = climate.points ?? [];
      chartNote.hidden = points.length > 0;
      chartNote.textContent = t("web-chart-empty");
      if (state.chart) state.chart.set(points);
      else {
        state.chart = await climateChart(chartBox, points, {
          timeZone: ctx.timeZone,
          language: language(),
          onHover,
          labels: { temperature: t("web-chart-temperature"), humidity: t("web-chart-humidity") },
        });
        if (controller.signal.aborted) state.chart.destroy();
      }
      chartBox.dataset.points = String(points.length);
    } catch (error) {
      if (error.name !== "AbortError") showError(error);
    }
  }

  const onReading = (event) => {
    const reading = event.detail;
    if (!state.room || !reading) return;
    const limits = state.room.thresholds ?? {};
    drawReading(reading, {
      temperature: levelOf(reading.temperatureC, limits.temperatureC),
      humidity: levelOf(reading.humidityPct, limits.humidityPct),
    });
    // The chart's points are averages: fetch them again at most once a minute.
    if (!state.climateTimer) {
      const wait = Math.max(0, 60_000 - (Date.now() - state.lastClimate));
      state.climateTimer = setTimeout(() => {
        state.climateTimer = null;
        loadClimate();
      }, wait);
    }
  };
  const onIncident = (event) => {
    const incident = event.detail;
    if (!incident?.id) return;
    if (incident.state === "open" || incident.canAct || state.incidents.has(incident.id)) {
      state.incidents.set(incident.id, incident);
      drawIncidents();
    }
  };
  bus.addEventListener("reading", onReading);
  bus.addEventListener("incident", onIncident);
  bus.addEventListener("resync", loadRoom);

  loadRoom();
  loadClimate();
  return () => {
    controller.abort();
    clearTimeout(state.climateTimer);
    bus.removeEventListener("reading", onReading);
    bus.removeEventListener("incident", onIncident);
    bus.removeEventListener("resync", loadRoom);
    state.chart?.destroy();
  };
}
