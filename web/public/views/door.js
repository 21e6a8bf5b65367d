// #/door: who came in today, and the door log with filters (dates, decision, name or card),
// paging to older entries and a CSV download of the same selection. New taps arrive live.
import { ApiError, api, authHeaders, hasToken } from "../api.js";
import { bus, ctx, dayOnly, el, timeOnly } from "../dom.js";
import { t } from "../i18n.js";
import { nextDay, zonedMidnight } from "../time.js";
import { showError } from "../ui.js";

const DECISIONS = {
  allowed: "web-door-allowed",
  "off-hours": "web-door-off-hours",
  unknown: "web-door-unknown",
  revoked: "web-door-revoked",
  "wrong-room": "web-door-wrong-room",
};

/** The log's query string for a filter: from/to are the room's days (to inclusive). */
export function logQuery(filter, timeZone, before) {
  const query = new URLSearchParams();
  const from = zonedMidnight(filter.from, timeZone);
  const to = zonedMidnight(nextDay(filter.to), timeZone);
  if (from !== null) query.set("from", String(from));
  if (to !== null) query.set("to", String(to));
  if (filter.decision) query.set("decision", filter.decision);
  if (filter.q?.trim()) query.set("q", filter.q.trim());
  if (before !== undefined && before !== null) query.set("before", String(before));
  return query;
}

/**
 * With a Bearer session (no cookie, e.g. Telegram Web's iframe) a plain link would go without
 * the session: fetch the CSV with the header and hand the browser the file.
 */
async function bearerDownload(event, link) {
  if (!hasToken()) return;
  event.preventDefault();
  try {
    const response = await fetch(link.getAttribute("href"), { headers: authHeaders(), cache: "no-store" });
    if (!response.ok) throw new ApiError(response.status, null, "");
    const url = URL.createObjectURL(await response.blob());
    const save = el("a", { attrs: { href: url, download: "door-log.csv" } });
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    showError(error);
  }
}

export function render(main) {
  const controller = new AbortController();
  const filter = { from: "", to: "", decision: "", q: "" };
  let next = null;

  const today = el("ul", { class: "list people", testid: "door-today" });
  const entries = el("ul", { class: "list entries" });
  const more = el("button", {
    text: t("web-older"),
    testid: "door-next",
    attrs: { type: "button", hidden: true },
    on: { click: () => loadLog(true) },
  });
  const csv = el("a", {
    class: "button",
    text: t("web-door-csv"),
    testid: "door-csv",
    attrs: { download: "door-log.csv" },
    on: { click: (event) => bearerDownload(event, csv) },
  });

  const field = (label, input) => el("label", { class: "field" }, el("span", { text: label }), input);
  const fromInput = el("input", { attrs: { type: "date", name: "from" } });
  const toInput = el("input", { attrs: { type: "date", name: "to" } });
  const decisionSelect = el(
    "select",
    { attrs: { name: "decision" } },
    el("option", { text: t("web-door-any"), attrs: { value: "" } }),
    Object.entries(DECISIONS).map(([value, key]) => el("option", { text: t(key), attrs: { value } })),
  );
  const search = el("input", {
    attrs: { type: "search", name: "q", autocomplete: "off", placeholder: t("web-door-search-hint") },
  });
  const form = el(
    "form",
    {
      class: "filters",
      attrs: { role: "search" },
      on: {
        submit: (event) => {
          event.preventDefault();
          Object.assign(filter, {
            from: fromInput.value,
            to: toInput.value,
            decision: decisionSelect.value,
            q: search.value,
          });
          loadLog(false);
        },
      },
    },
    field(t("web-door-from"), fromInput),
    field(t("web-door-to"), toInput),
    field(t("web-door-decision"), decisionSelect),
    field(t("web-door-search"), search),
    el(
      "div",
      { class: "actions" },
      el("button", { class: "primary", text: t("web-door-apply"), attrs: { type: "submit" } }),
      csv,
    ),
  );

  main.append(
    el("section", { class: "block" }, el("h2", { text: t("web-door-today-title") }), today),
    el("section", { class: "block" }, el("h2", { text: t("web-door-log-title") }), form, entries, more),
  );

  const entryRow = (entry) =>
    el(
      "li",
      { class: "entry", testid: "door-entry", data: { decision: entry.decision, entryId: entry.id } },
      el("span", { class: "when" }, timeOnly(entry.at), el("span", { class: "day", text: dayOnly(entry.at) })),
      entry.staffName
        ? el("span", { class: "who" }, entry.staffName, el("span", { class: "uid", text: entry.cardUid ?? "" }))
        : el("span", { class: "who uid", text: entry.cardUid ?? "" }),
      el("span", {
        class: `badge decision ${entry.decision}`,
        text: t(DECISIONS[entry.decision] ?? "web-door-unknown"),
      }),
    );

  async function loadToday() {
    try {
      const { people = [] } = await api("/api/door/today", { signal: controller.signal });
      today.replaceChildren(
        ...(people.length === 0
          ? [el("li", { class: "empty", text: t("web-door-nobody") })]
          : people.map((p) =>
              el(
                "li",
                { class: "person" },
                el("span", { class: "who", text: p.name }),
                el("span", {
                  class: "hint",
                  text: t("web-door-person-times", {
                    first: timeOnly(p.firstAt),
                    last: timeOnly(p.lastAt),
                    taps: p.taps ?? 1,
                  }),
                }),
                p.offHours && el("span", { class: "badge decision off-hours", text: t("web-door-off-hours") }),
              ),
            )),
      );
    } catch (error) {
      if (error.name !== "AbortError") showError(error);
    }
  }

  async function loadLog(older) {
    const query = logQuery(filter, ctx.timeZone, older ? next : null);
    query.set("limit", "50");
    try {
      const answer = await api(`/api/door/log?${query}`, { signal: controller.signal });
      const rows = (answer.entries ?? []).map(entryRow);
      if (older) entries.append(...rows);
      else
        entries.replaceChildren(
          ...(rows.length ? rows : [el("li", { class: "empty", text: t("web-door-no-entries") })]),
        );
      next = answer.next ?? null;
      more.hidden = next === null;
      csv.setAttribute("href", `/api/door/log.csv?${logQuery(filter, ctx.timeZone)}`);
    } catch (error) {
      if (error.name !== "AbortError") showError(error);
    }
  }

  const onDoor = (event) => {
    const entry = event.detail;
    if (!entry) return;
    const filtered = filter.from || filter.to || filter.decision || filter.q.trim();
    if (!filtered) {
      entries.querySelector(".empty")?.remove();
      entries.prepend(entryRow(entry));
    }
    loadToday();
  };
  const onResync = () => {
    loadToday();
    loadLog(false);
  };
  bus.addEventListener("door", onDoor);
  bus.addEventListener("resync", onResync);
  loadToday();
  loadLog(false);
  return () => {
    controller.abort();
    bus.removeEventListener("door", onDoor);
    bus.removeEventListener("resync", onResync);
  };
}
