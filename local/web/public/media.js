// Photos, GIFs, videos and documents in messages (only from the console itself), and the
// overlay that shows a photo enlarged.
import { el, isObject, sameOriginUrl, str } from "./dom.js";
import { t } from "./i18n.js";
import { ui } from "./ui.js";

/**
 * The element for a message's media, or null. `onLoad` runs when a picture or a video's
 * metadata has loaded (the message got taller).
 */
function openPhoto(src) {
  ui.overlayImage.src = src;
  ui.overlay.hidden = false;
}

export function closeOverlay() {
  ui.overlay.hidden = true;
  ui.overlayImage.removeAttribute("src");
}

ui.overlay.addEventListener("click", closeOverlay);

export function renderMedia(media, { onLoad }) {
  if (!isObject(media)) return null;
  const kind = str(media.kind);
  const mime = str(media.mime).toLowerCase();
  const size = {};
  if (Number.isFinite(media.width) && media.width > 0) size.width = Math.round(media.width);
  if (Number.isFinite(media.height) && media.height > 0) size.height = Math.round(media.height);

  if (kind === "photo" || (kind === "animation" && mime === "image/gif")) {
    const src = sameOriginUrl(media.url, { allowDataImage: true });
    if (!src) return el("div", { class: "unsupported", text: t("media.photoMissing") });
    const img = el("img", {
      class: `media ${kind === "photo" ? "photo" : "animation"}`,
      testid: kind === "photo" ? "message-photo" : "message-animation",
      attrs: { src, alt: kind === "photo" ? t("message.photo") : t("message.gif"), decoding: "async", ...size },
      on: { load: onLoad },
    });
    if (kind === "photo") img.addEventListener("click", () => openPhoto(src));
    return img;
  }

  if (kind === "video" || kind === "animation") {
    const src = sameOriginUrl(media.url);
    if (!src) return el("div", { class: "unsupported", text: t("media.videoMissing") });
    const isAnimation = kind === "animation";
    const video = el("video", {
      class: `media ${kind}`,
      testid: isAnimation ? "message-animation" : "message-video",
      attrs: {
        src,
        muted: true,
        playsinline: true,
        preload: "metadata",
        controls: !isAnimation,
        autoplay: isAnimation,
        loop: isAnimation,
        ...size,
      },
      on: { loadedmetadata: onLoad },
    });
    video.muted = true;
    return video;
  }

  if (kind === "document") {
    const filename = str(media.filename) || t("media.file");
    const href = sameOriginUrl(media.url);
    const body = el(
      "span",
      {},
      el("span", { class: "document-name", text: filename }),
      el("br"),
      el("span", { class: "document-mime", text: str(media.mime) || t("media.file") }),
    );
    if (!href) return el("div", { class: "document" }, el("span", { class: "document-icon" }), body);
    return el(
      "a",
      { class: "document", attrs: { href, download: filename, title: t("media.download", { name: filename }) } },
      el("span", { class: "document-icon" }),
      body,
    );
  }

  return el("div", { class: "unsupported", text: t("media.unsupported", { kind: kind || t("media.unknownKind") }) });
}
