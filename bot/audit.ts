/** Who pressed or sent something, and the audit log entry for what they did. */
import type { AuditEntry } from "../core/alerts/types.ts";
import type { SeromaContext } from "./context.ts";

/** The sender as the audit log and alert edits name them. */
export function who(ctx: SeromaContext): { id: number; name: string } {
  const f = ctx.from;
  if (!f) throw new Error("no sender");
  return { id: f.id, name: [f.first_name, f.last_name].filter(Boolean).join(" ") || String(f.id) };
}

/** Writes one audit entry for the sender, in this room, now. */
export async function recordAudit(
  ctx: SeromaContext,
  action: AuditEntry["action"],
  incidentId?: string,
  detail?: string,
): Promise<void> {
  const by = who(ctx);
  await ctx.services.storage.audit.record({
    at: ctx.services.clock.now().getTime(),
    roomId: ctx.services.config.roomId,
    userId: by.id,
    userName: by.name,
    action,
    ...(incidentId ? { incidentId } : {}),
    ...(detail ? { detail } : {}),
  });
}
