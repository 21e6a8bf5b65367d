/**
 * Names of staff as typed into the chat at enrollment. Names are labels for people,
 * never credentials (cards are matched by UID only); they still end up in Telegram
 * messages, CSV exports and on a 16-character LCD, so they are kept tidy: trimmed,
 * NFC-normalized, inner whitespace collapsed, 1-40 characters, no control or
 * invisible formatting characters, not a command.
 */
export const STAFF_NAME_MAX = 40;

export type StaffNameResult =
  | { ok: true; name: string }
  | { ok: false; reason: "empty" | "too-long" | "control" | "command" };

export function validateStaffName(input: string): StaffNameResult {
  // Control characters (C0, DEL, C1 incl. newlines and tabs) and format characters
  // (bidi overrides, zero-width) would garble or disguise the name: refuse, don't strip.
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(input.replace(/\u200d/g, ""))) return { ok: false, reason: "control" };
  const name = input.normalize("NFC").trim().replace(/\s+/gu, " ");
  if (name.length === 0) return { ok: false, reason: "empty" };
  if (name.startsWith("/")) return { ok: false, reason: "command" };
  if ([...name].length > STAFF_NAME_MAX) return { ok: false, reason: "too-long" };
  return { ok: true, name };
}
