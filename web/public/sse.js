// Server-sent events read with fetch (so a Bearer token can go along, which EventSource cannot
// send): the text/event-stream parser and the reconnect delays are pure (tested in Node);
// connect() reads the stream and reconnects until stopped.

/** A parser: push(text) with each decoded chunk; onEvent({ event, data, id }) per complete event. */
export function createSseParser(onEvent) {
  let rest = "";
  let event = "";
  let data = [];
  let id = "";
  const line = (text) => {
    if (text === "") {
      if (data.length > 0) onEvent({ event: event || "message", data: data.join("\n"), id });
      event = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return; // a comment (the server's ping)
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  };
  return {
    push(text) {
      rest += text;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(rest);
        // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
        if (!match || (match[0] === "\r" && match.index === rest.length - 1)) break;
        line(rest.slice(0, match.index));
        rest = rest.slice(match.index + match[0].length);
      }
    },
  };
}

/** How long to wait before reconnect attempt n (0, 1, 2…): 1 s doubling to 30 s, with up to 20 % jitter. */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 + 0.2 * random()));
}

/**
 * Follows /api/events: onEvent(name, data) for each event (data parsed as JSON when it is JSON),
 * onState("live" | "reconnecting") as the connection comes and goes, onAuthError(response) on
 * 401/403 (then it stops). Returns stop().
 */
export function connect({ url, headers, onEvent, onState, onAuthError }) {
  let stopped = false;
  let controller = null;
  let timer = null;
  let attempt = 0;

  const run = async () => {
    controller = new AbortController();
    try {
      const response = await fetch(url, {
        headers: { accept: "text/event-stream", ...headers() },
        credentials: "same-origin",
        cache: "no-store",
        signal: controller.signal,
      });
      if (response.status === 401 || response.status === 403) {
        stopped = true;
        onAuthError?.(response);
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      onState("live");
      attempt = 0;
      const decoder = new TextDecoder();
      const parser = createSseParser(({ event, data }) => {
        let value = data;
        try {
          value = JSON.parse(data);
        } catch {
          // plain text
        }
        onEvent(event, value);
      });
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch {
      // dropped: reconnect below
    }
    if (stopped) return;
    onState("reconnecting");
    timer = setTimeout(run, backoffDelay(attempt++));
  };
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
  };
}
