/**
 * /backup: an admin runs an online backup of the embedded database now, in the background
 * (a big database takes a while): a progress message that becomes the result.
 */
import { basename, dirname } from "node:path";
import { Composer } from "grammy";
import { escapeHtml } from "../../core/text/format.ts";
import { recordAudit } from "../audit.ts";
import { inBackground } from "../background.ts";
import type { SeromaContext } from "../context.ts";
import { requireAdmin } from "../filters/auth.ts";

export const backupFeature = new Composer<SeromaContext>();

backupFeature.command("backup", requireAdmin, (ctx) =>
  inBackground(ctx, "backup", async (work) => {
    await work.progress(ctx.t("backup-running"));
    const outcome = await work.wait(ctx.services.backup.runNow());
    if (!outcome.ok) {
      await work.progress(ctx.t("backup-failed", { error: escapeHtml(outcome.error) }));
      return;
    }
    await recordAudit(ctx, "backup", undefined, basename(outcome.file));
    const lines = [
      ctx.t("backup-done", {
        file: escapeHtml(basename(outcome.file)),
        size: (outcome.bytes / 1024 / 1024).toFixed(1),
        ms: String(outcome.durationMs),
        kept: outcome.kept,
        dir: escapeHtml(dirname(outcome.file)),
      }),
    ];
    if (outcome.upload?.ok) lines.push(ctx.t("backup-uploaded", { url: escapeHtml(outcome.upload.url) }));
    else if (outcome.upload) lines.push(ctx.t("backup-upload-failed", { error: escapeHtml(outcome.upload.error) }));
    await work.progress(lines.join("\n"));
  }),
);
