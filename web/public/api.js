// Requests to the dashboard's API. The session is the cookie from /login/TOKEN, or inside a Mini
// App the token from POST /api/auth/telegram sent as "Authorization: Bearer" (Telegram Web's
// iframe may not keep the cookie). Every POST carries X-CSRF-Token. Errors become ApiError with
// the server's code (the page says it in its own words) and its English sentence.

const TOKEN_KEY = "seroma-token";
const session = { token: null, csrf: null, ticket: null, ticketUntil: 0, language: null };
try {
  session.token = sessionStorage.getItem(TOKEN_KEY);
} catch {
  // storage refused (private mode): the token lives in memory only
}

export class ApiError extends Error {
  constructor(status, code, message, data) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code ?? null;
    this.data = data ?? null;
  }
}

export function setToken(token) {
  session.token = token || null;
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // memory only
  }
}
export const hasToken = () => Boolean(session.token);
export function setLanguage(language) {
  session.language = language;
}
export function setCsrf(csrf) {
  session.csrf = csrf || null;
}

/** The headers that carry the session (for fetches made outside api(): events, live). */
export function authHeaders() {
  return session.token ? { authorization: `Bearer ${session.token}` } : {};
}

export async function api(path, { method = "GET", body, signal } = {}) {
  const headers = { accept: "application/json", ...authHeaders() };
  // Once the page has its language, texts the server writes (incidents, server summaries) follow it.
  if (session.language) headers["accept-language"] = session.language;
  if (method !== "GET") {
    headers["content-type"] = "application/json";
    if (session.csrf) headers["x-csrf-token"] = session.csrf;
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: method === "GET" ? undefined : JSON.stringify(body ?? {}),
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    throw new ApiError(0, "unreachable", "");
  }
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    // not JSON
  }
  if (!response.ok || data === null || data.ok === false) {
    throw new ApiError(response.status, data?.code, typeof data?.error === "string" ? data.error : "", data);
  }
  return data;
}

/**
 * A URL for <img>/<video>/<a download>: as is with the cookie; with ?ticket= when the session is
 * a Bearer token (the browser sends no header for those). Tickets last 10 min; renewed at 8.
 */
export async function mediaUrl(url) {
  if (!session.token) return url;
  if (!session.ticket || Date.now() > session.ticketUntil) {
    const { ticket } = await api("/api/ticket");
    session.ticket = ticket;
    session.ticketUntil = Date.now() + 8 * 60_000;
  }
  return `${url}${url.includes("?") ? "&" : "?"}ticket=${encodeURIComponent(session.ticket)}`;
}
