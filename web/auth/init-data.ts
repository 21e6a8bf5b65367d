/**
 * A Telegram Mini App's launch data (initData): checked with @tma.js/init-data-node (the HMAC
 * Telegram makes with the bot's token, and auth_date no older than an hour), then read for
 * the user it names.
 */
import { ExpiredError, parse, validate } from "@tma.js/init-data-node";

export const INIT_DATA_MAX_AGE_S = 3_600;

export type InitDataCheck =
  | { ok: true; user: { id: number; name: string; languageCode?: string } }
  | { ok: false; code: "init-data-invalid" | "init-data-expired" };

export function checkInitData(initData: string, botToken: string | undefined): InitDataCheck {
  if (!botToken || initData.length === 0 || initData.length > 8_192) return { ok: false, code: "init-data-invalid" };
  try {
    validate(initData, botToken, { expiresIn: INIT_DATA_MAX_AGE_S });
  } catch (err) {
    // By name too: a loader may hand out the package's CommonJS and ES builds (two classes).
    const expired = err instanceof ExpiredError || (err as Error | undefined)?.name === "ExpiredError";
    return { ok: false, code: expired ? "init-data-expired" : "init-data-invalid" };
  }
  try {
    const data = parse(initData) as {
      user?: { id?: unknown; first_name?: unknown; last_name?: unknown; language_code?: unknown };
    };
    const u = data.user;
    if (!u || typeof u.id !== "number" || !Number.isSafeInteger(u.id)) return { ok: false, code: "init-data-invalid" };
    const name = [u.first_name, u.last_name].filter((p) => typeof p === "string" && p !== "").join(" ") || String(u.id);
    return {
      ok: true,
      user: { id: u.id, name, ...(typeof u.language_code === "string" ? { languageCode: u.language_code } : {}) },
    };
  } catch {
    return { ok: false, code: "init-data-invalid" };
  }
}
