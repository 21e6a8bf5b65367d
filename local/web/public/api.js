// The console's JSON API (local/web/server.ts): every request the page makes, with errors turned
// into sentences for people (in the page's language when the console's error has a code).
import { isObject } from "./dom.js";
import { consoleText, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function api(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      cache: "no-store",
      credentials: "same-origin",
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(t("error.unreachable"), 0);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    // not JSON; handled below
  }
  if (!response.ok || !isObject(data) || data.ok === false) {
    const text = isObject(data) && typeof data.error === "string" && data.error.trim() ? data.error : null;
    throw new ApiError(
      text
        ? consoleText("server", data, text)
        : response.ok
          ? t("error.unreadableAnswer")
          : t("error.http", { status: response.status }),
      response.status,
    );
  }
  return data;
}
