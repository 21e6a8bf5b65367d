// #/staff (admins): the cards with their people; revoke, restore, and invite (a one-time t.me
// link that ties a Telegram account to the card, shown here to copy). Refusals (the last admin,
// yourself) are shown as the server words them.
import { api } from "../api.js";
import { el, when } from "../dom.js";
import { t } from "../i18n.js";
import { showError, toast } from "../ui.js";

const ROLES = { admin: "web-role-admin", staff: "web-role-staff" };

export function render(main) {
  const controller = new AbortController();
  const list = el("ul", { class: "list staff" });
  main.append(el("section", { class: "block" }, el("h2", { text: t("web-nav-staff") }), list));

  const inviteBox = (answer) => {
    const input = el("input", {
      attrs: { type: "text", readonly: true, value: answer.link, "aria-label": t("web-staff-invite-link") },
    });
    return el(
      "div",
      { class: "invite", testid: "staff-invite-link" },
      el("p", { text: t("web-staff-invite-ready", { time: when(answer.expiresAt) }) }),
      el(
        "div",
        { class: "copy" },
        input,
        el("button", {
          text: t("web-staff-copy"),
          attrs: { type: "button" },
          on: {
            click: async () => {
              input.select();
              try {
                await navigator.clipboard.writeText(answer.link);
                toast(t("web-staff-copied"));
              } catch {
                // selected for a manual copy
              }
            },
          },
        }),
      ),
    );
  };

  const member = (m) => {
    const extra = el("div", { class: "member-extra" });
    const act = async (button, path) => {
      button.disabled = true;
      try {
        const answer = await api(`/api/staff/${encodeURIComponent(m.cardUid)}/${path}`, { method: "POST", body: {} });
        if (path === "invite") extra.replaceChildren(inviteBox(answer));
        else {
          toast(t(path === "revoke" ? "web-staff-revoked-toast" : "web-staff-restored-toast", { name: m.name }));
          load();
        }
      } catch (error) {
        showError(error);
      } finally {
        button.disabled = false;
      }
    };
    const button = (key, testid, path) =>
      el("button", {
        text: t(key),
        testid,
        attrs: { type: "button" },
        on: { click: (e) => act(e.currentTarget, path) },
      });
    return el(
      "li",
      {
        class: "member",
        testid: "staff-member",
        data: { cardUid: m.cardUid, active: String(Boolean(m.active)), role: m.role },
      },
      el(
        "div",
        { class: "member-head" },
        el("span", { class: "who" }, m.name, el("span", { class: "uid", text: m.cardUid })),
        el("span", { class: `badge role ${m.role}`, text: t(ROLES[m.role] ?? "web-role-staff") }),
        !m.active && el("span", { class: "badge decision revoked", text: t("web-staff-revoked") }),
        m.active && el("span", { class: "hint", text: t(m.linked ? "web-staff-linked" : "web-staff-not-linked") }),
      ),
      el(
        "div",
        { class: "actions" },
        m.active
          ? button("web-staff-revoke", "staff-revoke", "revoke")
          : button("web-staff-restore", "staff-restore", "restore"),
        m.active && button("web-staff-invite", "staff-invite", "invite"),
      ),
      extra,
    );
  };

  async function load() {
    try {
      const { staff = [] } = await api("/api/staff", { signal: controller.signal });
      list.replaceChildren(
        ...(staff.length ? staff.map(member) : [el("li", { class: "empty", text: t("web-staff-none") })]),
      );
    } catch (error) {
      if (error.name !== "AbortError") showError(error);
    }
  }
  load();
  return () => controller.abort();
}
