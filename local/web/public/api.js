// The console's JSON API (local/web/server.ts): every request the page makes, with errors turned
// into sentences for people.
import { isObject } from "./dom.js";

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
    throw new ApiError("Could not reach the console — is it still running?", 0);
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
      text ??
        (response.ok
          ? "The console sent an answer the page cannot read."
          : `The console answered HTTP ${response.status}.`),
      response.status,
    );
  }
  return data;
}
