/**
 * DATA_DIR: free space on its file system (statfs), judged like the console's storage watch
 * (DISK_FREE_WARN_PCT, DISK_FREE_CRITICAL_PCT, DISK_FREE_CRITICAL_MB), and whether a file
 * can be written there (a small file, removed again). A DATA_DIR that does not exist yet is
 * created at the first start: then its nearest existing parent is judged.
 */
import { constants } from "node:fs";
import { access, rm, statfs, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { formatBytes, judgeSpace } from "../../core/system/disk.ts";
import { type Check, fail, messageOf, ok, skip, warn } from "../check.ts";
import { NO_CONFIG } from "./configuration.ts";

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function nearestExisting(dir: string): Promise<string> {
  let d = dir;
  while (!(await exists(d)) && dirname(d) !== d) d = dirname(d);
  return d;
}

/** Undefined when a file can be created in `dir`, else why not. */
async function writeProblem(dir: string): Promise<string | undefined> {
  try {
    await access(dir, constants.W_OK);
    const probe = join(dir, `.doctor-${process.pid}`);
    await writeFile(probe, "");
    await rm(probe, { force: true });
    return undefined;
  } catch (e) {
    return messageOf(e);
  }
}

export const diskCheck: Check = {
  id: "disk",
  title: "DATA_DIR",
  manual: "df -h DATA_DIR",
  async run(ctx) {
    if (!ctx.config.ok) return skip(NO_CONFIG);
    const { dataDir, disk } = ctx.config.config;
    const present = await exists(dataDir);
    const where = present ? dataDir : await nearestExisting(dataDir);
    const s = await statfs(where);
    const space = { free: Number(s.bavail) * Number(s.bsize), size: Number(s.blocks) * Number(s.bsize) };
    const pct = space.size > 0 ? (space.free / space.size) * 100 : 100;
    const freeText = `${formatBytes(space.free)} free of ${formatBytes(space.size)} (${pct.toFixed(1)} %)`;
    const name = present ? dataDir : `${dataDir} (not created yet; ${where})`;
    const problem = await writeProblem(where);
    const room =
      `make room on that file system: \`du -xh --max-depth=2 ${where} | sort -h | tail\` shows what uses it ` +
      `(old photos and clips are in ${join(dataDir, "media")}: lower MEDIA_MAX_MB or MEDIA_MAX_DAYS)`;
    if (problem) {
      return fail(
        `${name}: ${freeText}; cannot write there (${problem})`,
        `\`sudo chown -R seroma: ${where}\` (the user that runs the console), or set DATA_DIR to a writable directory`,
      );
    }
    const level = judgeSpace(space, disk);
    if (level === "critical") {
      return fail(
        `${name}: only ${freeText}, below DISK_FREE_CRITICAL_PCT=${disk.criticalFreePct} % or DISK_FREE_CRITICAL_MB`,
        room,
      );
    }
    if (level === "warning") return warn(`${name}: ${freeText}, below DISK_FREE_WARN_PCT=${disk.warnFreePct} %`, room);
    return ok(`${name}: ${freeText}; writable`);
  },
};
