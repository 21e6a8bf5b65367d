/** /backup: an admin runs an online backup of the embedded database now. */
import { basename } from "node:path";
import { Composer } from "grammy";
import { recordAudit } from "../audit.ts";
import type { SeromaContext } from "../context.ts";
import { requireAdmin } from "../filters/auth.ts";
import { escapeHtml } from "../html.ts";

export const backupFeature = new Composer<SeromaContext>();

backupFeature.command("backup", requireAdmin, async (ctx) => {
  await ctx.replyWithChatAction("typing").catch(() => undefined);
  const outcome = await ctx.services.backup.runNow();
  if (!outcome.ok) {
    await ctx.reply(ctx.t("backup-failed", { error: escapeHtml(outcome.error) }), { parse_mode: "HTML" });
    return;
  }
  await recordAudit(ctx, "backup", undefined, basename(outcome.file));
  const lines = [
    ctx.t("backup-done", {
      file: escapeHtml(basename(outcome.file)),
      size: (outcome.bytes / 1024 / 1024).toFixed(1),
      ms: String(outcome.durationMs),
      kept: String(outcome.kept),
    }),
  ];
  if (outcome.upload?.ok) lines.push(ctx.t("backup-uploaded", { url: escapeHtml(outcome.upload.url) }));
  else if (outcome.upload) lines.push(ctx.t("backup-upload-failed", { error: escapeHtml(outcome.upload.error) }));
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
});
