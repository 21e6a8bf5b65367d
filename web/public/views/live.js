// #/live: the camera now. Reads GET /api/live.mjpeg with fetch (so a Bearer token goes along),
// splits the multipart stream into JPEG frames and draws the newest on a canvas (frames that
// arrive while one is decoding are skipped). The stream is aborted when the view is left or the
// page is hidden, so the console can stop capturing; it resumes when the page is shown again.
// The canvas (data-testid="live-frame") carries data-frames and data-latency-ms for the tests.
import { ApiError, authHeaders } from "../api.js";
import { el } from "../dom.js";
import { t } from "../i18n.js";
import { boundaryOf, createMultipartSplitter } from "../multipart.js";
import { showError } from "../ui.js";

const STATUS = {
  connecting: "web-live-connecting",
  playing: "web-live-playing",
  busy: "web-live-busy",
  unavailable: "web-live-unavailable",
  paused: "web-live-paused",
  ended: "web-live-ended",
};

async function decode(bytes) {
  const blob = new Blob([bytes], { type: "image/jpeg" });
  if (typeof createImageBitmap === "function") return createImageBitmap(blob);
  const url = URL.createObjectURL(blob);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function render(main) {
  let controller = null;
  let wanted = true; // the person's Play/Stop choice
  let frames = 0;
  let latest = null;
  let drawing = false;
  const shown = []; // draw times of the last second (the frame rate)

  const canvas = el("canvas", {
    class: "live-frame",
    testid: "live-frame",
    attrs: { width: 640, height: 480, role: "img", "aria-label": t("web-live-title") },
    data: { frames: 0 },
  });
  const status = el("p", { class: "live-status", attrs: { role: "status" } });
  const rate = el("span", { class: "hint" });
  const toggle = el("button", {
    attrs: { type: "button" },
    on: { click: () => (controller ? stop("paused", true) : start(true)) },
  });
  const paint = canvas.getContext("2d");
  main.append(
    el(
      "section",
      { class: "block" },
      el("div", { class: "block-head" }, el("h2", { text: t("web-live-title") }), toggle),
      el("figure", { class: "live-view" }, canvas),
      el("div", { class: "live-bar" }, status, rate),
    ),
  );

  const setStatus = (state) => {
    status.dataset.state = state;
    status.textContent = t(STATUS[state]);
    toggle.textContent = t(controller ? "web-live-stop" : "web-live-start");
    if (state !== "playing") rate.textContent = "";
  };

  const draw = async () => {
    drawing = true;
    while (latest) {
      const part = latest;
      latest = null;
      let image;
      try {
        image = await decode(part.body);
      } catch {
        continue; // a broken frame: wait for the next
      }
      if (canvas.width !== image.width || canvas.height !== image.height) {
        canvas.width = image.width;
        canvas.height = image.height;
      }
      paint.drawImage(image, 0, 0);
      image.close?.();
      frames += 1;
      canvas.dataset.frames = String(frames);
      const captured = Number(part.headers["x-captured-at"]);
      if (Number.isFinite(captured)) canvas.dataset.latencyMs = String(Date.now() - captured);
      const now = performance.now();
      shown.push(now);
      while (shown[0] < now - 1000) shown.shift();
      rate.textContent = t("web-live-rate", { fps: shown.length, ms: canvas.dataset.latencyMs ?? "?" });
    }
    drawing = false;
  };

  async function start(byHand) {
    if (byHand) wanted = true;
    if (controller || document.hidden) return;
    const mine = new AbortController();
    controller = mine;
    setStatus("connecting");
    try {
      const response = await fetch("/api/live.mjpeg", {
        headers: authHeaders(),
        credentials: "same-origin",
        cache: "no-store",
        signal: mine.signal,
      });
      if (!response.ok || !response.body) {
        let data = null;
        try {
          data = await response.json();
        } catch {
          // no JSON
        }
        controller = null;
        if (data?.code === "live-busy") setStatus("busy");
        else if (data?.code === "live-unavailable") setStatus("unavailable");
        else {
          setStatus("ended");
          showError(new ApiError(response.status, data?.code, data?.error ?? "", data));
        }
        return;
      }
      setStatus("playing");
      const splitter = createMultipartSplitter(boundaryOf(response.headers.get("content-type")) ?? "frame", (part) => {
        latest = part;
        if (!drawing) draw();
      });
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        splitter.push(value);
      }
      if (controller === mine) {
        controller = null;
        setStatus("ended");
      }
    } catch (error) {
      if (controller === mine) {
        controller = null;
        setStatus("ended");
        if (error.name !== "AbortError") showError(new ApiError(0, "unreachable", ""));
      }
    }
  }

  function stop(state, byHand) {
    if (byHand) wanted = false;
    const current = controller;
    controller = null;
    current?.abort();
    setStatus(state);
  }

  const onVisibility = () => {
    if (document.hidden) {
      if (controller) stop("paused", false);
    } else if (wanted) start(false);
  };
  document.addEventListener("visibilitychange", onVisibility);
  start(true);
  return () => {
    document.removeEventListener("visibilitychange", onVisibility);
    const current = controller;
    controller = null;
    current?.abort();
  };
}
