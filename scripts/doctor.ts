/**
 * `npm run doctor [-- --json] [-- --timeout SECONDS]`: checks this Pi for what the console
 * needs (see doctor/ and the README's "Doctor"). Exit code 1 when a check fails, 0 when
 * everything is ok or only warns, 2 on a bad command line.
 *
 * Test and diagnostic aids (not for everyday use):
 *   DOCTOR_ROOT=DIR          read /proc, /sys, /dev, /etc, /boot, /run under DIR (a fake Pi, a mounted SD card)
 *   DOCTOR_NODE_VERSION=X.Y.Z judge this Node.js version instead of the running one
 */
import { DEFAULT_CHECK_TIMEOUT_MS, exitCode, formatHuman, formatJson, runDoctor } from "../doctor/index.ts";

const USAGE = "usage: npm run doctor [-- --json] [-- --timeout SECONDS]";

function parseArgs(argv: string[]): { json: boolean; timeoutMs: number } | string {
  let json = false;
  let timeoutMs = DEFAULT_CHECK_TIMEOUT_MS;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") json = true;
    else if (a === "--timeout" || a?.startsWith("--timeout=")) {
      const value = a === "--timeout" ? argv[++i] : a.slice("--timeout=".length);
      const seconds = Number(value);
      if (!(seconds > 0 && seconds <= 600)) return `--timeout takes seconds (0 < s <= 600), got ${value ?? "nothing"}`;
      timeoutMs = Math.round(seconds * 1000);
    } else if (a === "--help" || a === "-h") return "";
    else return `unknown argument ${a}`;
  }
  return { json, timeoutMs };
}

const args = parseArgs(process.argv.slice(2));
if (typeof args === "string") {
  process.stderr.write(`${args ? `${args}\n` : ""}${USAGE}\n`);
  process.exit(args ? 2 : 0);
}
const report = await runDoctor({
  root: process.env.DOCTOR_ROOT || "/",
  env: process.env,
  ...(process.env.DOCTOR_NODE_VERSION ? { nodeVersion: process.env.DOCTOR_NODE_VERSION } : {}),
  timeoutMs: args.timeoutMs,
});
process.stdout.write(args.json ? formatJson(report) : formatHuman(report));
// A probe stuck in the kernel (a read that never returns) must not keep the doctor alive.
process.exit(exitCode(report));
