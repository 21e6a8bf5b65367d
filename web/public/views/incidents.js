// Incident cards (the room view's list): what happened, who acknowledged or muted it, and the
// Acknowledge / Mute buttons. The server's answer (or an `incident` event, e.g. an ack made in
// Telegram) redraws the card in place.
import { api } from "../api.js";
import { el, when } from "../dom.js";
import { t } from "../i18n.js";
import { showError, toast } from "../ui.js";

const SEVERITY = { critical: "web-incident-critical", warning: "web-incident-warning" };
const nameOf = (who) => (typeof who === "string" ? who : (who?.name ?? ""));

export function incidentCard(incident, onChange) {
  const acked = Number.isFinite(incident.ackedAt);
  const open = incident.state === "open";
  const muted = Number.isFinite(incident.mutedUntil) && incident.mutedUntil > Date.now();
  const act = async (button, path, body, done) => {
    for (const b of button.parentElement.querySelectorAll("button")) b.disabled = true;
    try {
      const answer = await api(`/api/incidents/${encodeURIComponent(incident.id)}/${path}`, { method: "POST", body });
      toast(done);
      onChange(answer.incident ?? null);
    } catch (error) {
      showError(error);
      onChange(null, error);
    }
  };
  const actions =
    incident.canAct &&
    el(
      "div",
      { class: "actions" },
      !acked &&
        el("button", {
          class: "primary",
          text: t("web-incident-ack"),
          testid: "incident-ack",
          attrs: { type: "button" },
          on: { click: (e) => act(e.currentTarget, "ack", {}, t("web-incident-acked-toast")) },
        }),
      open &&
        el("button", {
          text: t("web-incident-mute-1h"),
          testid: "incident-mute-1h",
          attrs: { type: "button" },
          on: { click: (e) => act(e.currentTarget, "mute", { hours: 1 }, t("web-incident-muted-toast")) },
        }),
      open &&
        el("button", {
          text: t("web-incident-mute-24h"),
          testid: "incident-mute-24h",
          attrs: { type: "button" },
          on: { click: (e) => act(e.currentTarget, "mute", { hours: 24 }, t("web-incident-muted-toast")) },
        }),
    );
  return el(
    "article",
    {
      class: `card incident ${incident.severity ?? ""}`,
      testid: "incident",
      data: { incidentId: incident.id, state: incident.state, acked: String(acked), severity: incident.severity },
    },
    el(
      "header",
      {},
      el("span", {
        class: `badge ${incident.severity ?? ""}`,
        text: t(SEVERITY[incident.severity] ?? "web-incident-warning"),
      }),
      el("span", {
        class: "badge state",
        text: t(open ? "web-incident-open" : "web-incident-resolved"),
      }),
      el("h3", { text: incident.title ?? "" }),
    ),
    incident.text && el("p", { class: "incident-text", text: incident.text }),
    el(
      "ul",
      { class: "meta" },
      el("li", { text: t("web-incident-opened", { time: when(incident.openedAt) }) }),
      Number.isFinite(incident.resolvedAt) &&
        el("li", { text: t("web-incident-resolved-at", { time: when(incident.resolvedAt) }) }),
      acked &&
        el("li", {
          class: "acked",
          text: t("web-incident-acked-by", { name: nameOf(incident.ackedBy) || "?", time: when(incident.ackedAt) }),
        }),
      muted &&
        el("li", {
          class: "muted",
          text: nameOf(incident.mutedBy)
            ? t("web-incident-muted-by", { name: nameOf(incident.mutedBy), time: when(incident.mutedUntil) })
            : t("web-incident-muted", { time: when(incident.mutedUntil) }),
        }),
    ),
    actions,
  );
}
