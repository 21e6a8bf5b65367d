// #/servers: every watched server with its state; a tap opens its details (GET /api/servers/:name).
import { api } from "../api.js";
import { el, when } from "../dom.js";
import { t } from "../i18n.js";
import { showError } from "../ui.js";

const STATES = {
  up: "web-server-up",
  down: "web-server-down",
  warning: "web-server-warning",
  unknown: "web-server-unknown",
};

/** A details answer's lines: the known fields, in the page's words. */
function details(server) {
  const rows = [];
  const row = (label, value) => {
    if (value !== undefined && value !== null && value !== "")
      rows.push(el("dt", { text: label }), el("dd", { text: String(value) }));
  };
  row(t("web-server-host"), server.host);
  row(t("web-server-checked"), Number.isFinite(server.checkedAt) ? when(server.checkedAt) : null);
  row(t("web-server-summary"), server.summary);
  const problems = Array.isArray(server.problems) ? server.problems : [];
  return el(
    "div",
    { class: "details" },
    el("dl", {}, rows),
    problems.length > 0 &&
      el(
        "div",
        {},
        el("h4", { text: t("web-server-problems") }),
        el(
          "ul",
          { class: "problems" },
          problems.map((p) => el("li", { text: String(p) })),
        ),
      ),
    Array.isArray(server.services) &&
      server.services.length > 0 &&
      el(
        "div",
        {},
        el("h4", { text: t("web-server-services") }),
        el("p", {
          class: "uid",
          text: server.services.map((s) => (typeof s === "string" ? s : (s?.name ?? ""))).join(", "),
        }),
      ),
    Array.isArray(server.recent) &&
      server.recent.length > 0 &&
      el(
        "div",
        {},
        el("h4", { text: t("web-server-recent") }),
        el(
          "ul",
          { class: "list runs" },
          server.recent.map((run) =>
            el(
              "li",
              { class: `run ${run.reachable ? "up" : "down"}` },
              el("span", { class: "when", text: when(run.at) }),
              el("span", { text: run.summary ?? "" }),
            ),
          ),
        ),
      ),
  );
}

export function render(main) {
  const controller = new AbortController();
  const list = el("ul", { class: "list servers" });
  main.append(el("section", { class: "block" }, el("h2", { text: t("web-nav-servers") }), list));

  const item = (server) => {
    const panel = el("div", { class: "server-details", attrs: { hidden: true } });
    const button = el(
      "button",
      {
        class: "row-button",
        attrs: { type: "button", "aria-expanded": "false" },
        on: {
          click: async () => {
            const open = button.getAttribute("aria-expanded") !== "true";
            button.setAttribute("aria-expanded", String(open));
            panel.hidden = !open;
            if (!open) return;
            panel.replaceChildren(details(server));
            try {
              const full = await api(`/api/servers/${encodeURIComponent(server.name)}`, { signal: controller.signal });
              panel.replaceChildren(details({ ...server, ...(full.server ?? full) }));
            } catch (error) {
              if (error.name !== "AbortError") showError(error);
            }
          },
        },
      },
      el("span", { class: `dot state-${server.state}`, attrs: { "aria-hidden": "true" } }),
      el("span", { class: "who" }, server.name, el("span", { class: "uid", text: server.host ?? "" })),
      el("span", { class: `badge server-state ${server.state}`, text: t(STATES[server.state] ?? STATES.unknown) }),
    );
    return el(
      "li",
      { class: "server", testid: "server", data: { name: server.name, state: server.state } },
      button,
      panel,
    );
  };

  (async () => {
    try {
      const { servers = [] } = await api("/api/servers", { signal: controller.signal });
      list.replaceChildren(
        ...(servers.length ? servers.map(item) : [el("li", { class: "empty", text: t("web-servers-none") })]),
      );
    } catch (error) {
      if (error.name !== "AbortError") showError(error);
    }
  })();
  return () => controller.abort();
}
