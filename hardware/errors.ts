/** What every driver asks of an error it caught: its message and its code. */

/** An error's message, also for the plain strings some libraries throw. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === "string" ? e : String(e);
}

/** An error's `code` (ENOENT, EACCES, ERR_MODULE_NOT_FOUND...), if it has one. */
export function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
