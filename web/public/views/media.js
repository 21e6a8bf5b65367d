// #/media: the camera's snapshots as a grid (a tap shows one large) and its clips, which play in
// the page; "Older" pages back.
import { api, mediaUrl } from "../api.js";
import { el, when } from "../dom.js";
import { t } from "../i18n.js";
import { showError } from "../ui.js";

const KINDS = { snapshot: "web-media-snapshots", clip: "web-media-clips" };

export function render(main) {
  let controller = new AbortController();
  let kind = "snapshot";
  let next = null;
  const grid = el("ul", { class: "media-grid" });
  const more = el("button", {
    text: t("web-older"),
    testid: "media-next",
    attrs: { type: "button", hidden: true },
    on: { click: () => load(true) },
  });
  const viewer = el("dialog", { class: "viewer", on: { click: () => viewer.close() } });
  const tabs = Object.entries(KINDS).map(([value, key]) =>
    el("button", {
      text: t(key),
      data: { kind: value },
      attrs: { type: "button", "aria-pressed": String(value === kind) },
      on: {
        click: () => {
          kind = value;
          for (const b of tabs) b.setAttribute("aria-pressed", String(b.dataset.kind === kind));
          controller.abort();
          controller = new AbortController();
          load(false);
        },
      },
    }),
  );
  main.append(
    el(
      "section",
      { class: "block" },
      el(
        "div",
        { class: "block-head" },
        el("h2", { text: t("web-nav-media") }),
        el("div", { class: "segmented", attrs: { role: "group", "aria-label": t("web-media-kind") } }, tabs),
      ),
      grid,
      more,
    ),
    viewer,
  );

  const caption = (item) =>
    el(
      "figcaption",
      {},
      el("span", { text: when(item.at) }),
      item.reason && el("span", { class: "hint", text: item.reason }),
      Number.isFinite(item.seconds) &&
        el("span", { class: "hint", text: t("web-seconds", { count: Math.round(item.seconds) }) }),
    );

  const tile = async (item) => {
    const src = await mediaUrl(item.url);
    const label = t(item.kind === "clip" ? "web-media-clip-label" : "web-media-snapshot-label", {
      time: when(item.at),
    });
    const body =
      item.kind === "clip"
        ? el("video", { attrs: { src, controls: true, preload: "metadata", playsinline: true, "aria-label": label } })
        : el(
            "button",
            {
              class: "thumb",
              attrs: { type: "button", "aria-label": label },
              on: {
                click: () => {
                  viewer.replaceChildren(el("img", { attrs: { src, alt: label } }));
                  viewer.showModal();
                },
              },
            },
            el("img", {
              attrs: { src, alt: "", loading: "lazy", width: item.width, height: item.height },
            }),
          );
    return el(
      "li",
      { class: "media-item", testid: "media-item", data: { kind: item.kind, mediaId: item.id } },
      el("figure", {}, body, caption(item)),
    );
  };

  async function load(older) {
    const query = new URLSearchParams({ kind, limit: "24" });
    if (older && next !== null) query.set("before", String(next));
    try {
      const answer = await api(`/api/media?${query}`, { signal: controller.signal });
      const tiles = await Promise.all((answer.items ?? []).map(tile));
      if (older) grid.append(...tiles);
      else
        grid.replaceChildren(
          ...(tiles.length
            ? tiles
            : [
                el("li", {
                  class: "empty",
                  text: t(kind === "clip" ? "web-media-no-clips" : "web-media-no-snapshots"),
                }),
              ]),
        );
      next = answer.next ?? null;
      more.hidden = next === null;
    } catch (error) {
      if (error.name !== "AbortError") showError(error);
    }
  }
  load(false);
  return () => {
    controller.abort();
    // Stop any clip that is playing.
    for (const video of grid.querySelectorAll("video")) video.removeAttribute("src");
  };
}
