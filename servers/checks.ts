/**
 * The fixed catalogue of read-only server checks: one POSIX sh script per host that runs
 * exactly the host's checks over a single SSH exec, and the splitting of its output back
 * into per-check outcomes (the parsing itself is in servers/parsers.ts).
 *
 * The script prints each part of its output between markers:
 *
 *   @@seroma:begin PART@@
 *   ...what the command printed on stdout...
 *   @@seroma:end PART rc=N@@              (N: the command's exit status)
 *   @@seroma:stderr PART@@ TEXT           (first 5 lines of its stderr, if any)
 *   @@seroma:unavailable PART@@           (instead of all the above: the tool is not installed)
 *
 * Nothing user-supplied reaches the script except systemd unit names, which must match
 * SERVICE_NAME and are single-quoted; the journal's start time is an integer.
 */

import {
  CHECK_IDS,
  type CheckId,
  type CheckOutcome,
  type HostChecks,
  type HostSpec,
  SERVICE_NAME,
} from "../core/servers/types.ts";
import { parseDf, parseJournal, parseLoad, parseMeminfo, parseServices, parseUptime } from "./parsers.ts";

/** Every marker line starts with this. */
export const MARKER_PREFIX = "@@seroma:";
export type MarkerKind = "begin" | "end" | "stderr" | "unavailable";
/** The parts of the script's output (several per check for load). */
export type ScriptPart = "uptime" | "loadavg" | "nproc" | "meminfo" | "services" | "journal" | "df";

/** A marker line as the script prints it (stderr markers are followed by a space and the text). */
export function formatMarker(kind: MarkerKind, part: ScriptPart, rc?: number): string {
  return `${MARKER_PREFIX}${kind} ${part}${kind === "end" ? ` rc=${rc ?? 0}` : ""}@@`;
}

const BEGIN = /^@@seroma:begin ([a-z]+)@@$/;
// The end marker may follow output that had no final newline, so it is matched at the end of a line.
const END = /^(.*)@@seroma:end ([a-z]+) rc=(\d+)@@$/;
const STDERR = /^@@seroma:stderr ([a-z]+)@@ ?(.*)$/;
const UNAVAILABLE = /^@@seroma:unavailable ([a-z]+)@@$/;

/** What each check runs (for the README and the bot's /help). All read-only. */
export const CHECK_COMMANDS: Readonly<Record<CheckId, string>> = {
  uptime: "cat /proc/uptime: seconds since boot",
  load: "cat /proc/loadavg; nproc (or grep -c ^processor /proc/cpuinfo where there is no nproc): load averages and cores",
  memory: "cat /proc/meminfo: MemTotal and MemAvailable (MemFree + Buffers + Cached + SReclaimable on old kernels)",
  disk: "df -P -k: use of each mounted disk (tmpfs, devtmpfs, proc, sysfs, cgroup, efivarfs, snaps and other pseudo filesystems skipped)",
  services:
    "systemctl is-active -- UNIT...: the state of each of the host's systemd units (an error where there is no systemctl)",
  journal:
    "journalctl -p err --since @LAST_CHECK --no-pager -q -o short-iso: the number of entries at priority err or above and the latest 5 lines (skipped where there is no journalctl)",
};

/** The command line shown in error messages for each part. */
const PART_COMMANDS: Record<ScriptPart, string> = {
  uptime: "cat /proc/uptime",
  loadavg: "cat /proc/loadavg",
  nproc: "nproc",
  meminfo: "cat /proc/meminfo",
  services: "systemctl is-active",
  journal: "journalctl",
  df: "df -P -k",
};

/** How many journal lines the script sends back and the parser keeps. */
export const JOURNAL_LATEST_LINES = 5;
/** The journal window when the caller gives no start: the last 5 minutes. */
export const DEFAULT_JOURNAL_WINDOW_S = 5 * 60;

/** Single-quotes a word for sh. */
function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Throws if a unit name may not go on a command line; the message names the offending value. */
export function assertServiceName(name: string): void {
  if (typeof name !== "string" || !SERVICE_NAME.test(name)) {
    throw new Error(
      `invalid systemd unit name ${JSON.stringify(name)}: letters, digits and @ . _ : - only, starting with a letter or digit, at most 128 characters`,
    );
  }
}

const PRELUDE = `# Seroma read-only server checks (generated)
LC_ALL=C
export LC_ALL
: "\${PATH:=/usr/local/bin:/usr/bin:/bin}"
export PATH
exec 3>&1
# seroma_run PART CMD...: CMD's stdout between markers, then its exit status and the head of its stderr.
seroma_run() {
  seroma_part=$1
  shift
  echo "${MARKER_PREFIX}begin $seroma_part@@"
  seroma_err=$("$@" 2>&1 1>&3 3>&- </dev/null)
  seroma_rc=$?
  echo "${MARKER_PREFIX}end $seroma_part rc=$seroma_rc@@"
  if [ -n "$seroma_err" ]; then
    printf '%s\\n' "$seroma_err" | head -n 5 | sed "s/^/${MARKER_PREFIX}stderr $seroma_part@@ /"
  fi
}
`;

const NPROC = `seroma_nproc() {
  nproc 2>/dev/null || grep -c ^processor /proc/cpuinfo
}
`;

/**
 * One journalctl run: awk prints the number of entries (continuation lines of
 * multi-line messages, indented, and journalctl's "-- ... --" notes not counted), then
 * the last lines, and exits with journalctl's exit status (passed down the pipe on a
 * line of its own, since sh has no pipefail).
 */
function journalFunction(since: number): string {
  const awk = [
    "/^@@seroma:rc [0-9]+$/ { rc = $2; next }",
    "/^-- .* --$/ { next }",
    "{ if ($0 !~ /^[ \\t]/) n++; seen++; last[seen % k] = $0 }",
    "END { print n + 0; for (i = seen - k + 1; i <= seen; i++) if (i >= 1) print last[i % k]; exit rc + 0 }",
  ].join("\n    ");
  return `seroma_journal() {
  { journalctl -p err --since @${since} --no-pager -q -o short-iso; echo "@@seroma:rc $?"; } | awk -v k=${JOURNAL_LATEST_LINES} '
    ${awk}'
}
`;
}

function ifAvailable(tool: string, part: ScriptPart, run: string): string {
  return `if command -v ${tool} >/dev/null 2>&1; then
  ${run}
else
  echo "${formatMarker("unavailable", part)}"
fi
`;
}

/**
 * The check script for a host: POSIX sh, read-only, for exactly the checks in
 * spec.checks (in a fixed order, df last since a dead network mount can hang it).
 * Run it in one SSH exec as `sh -s` with the script on stdin (every command reads
 * /dev/null, not the script), or as `sh -c SCRIPT`; it does not depend on the login shell.
 * Throws, before building anything, on an invalid unit name, an unknown check id or a
 * bad journalSince.
 */
export function buildCheckScript(spec: HostSpec, opts: { journalSince?: number } = {}): string {
  for (const name of spec.services) assertServiceName(name);
  for (const id of spec.checks) {
    if (!(CHECK_IDS as readonly string[]).includes(id)) throw new Error(`unknown check ${JSON.stringify(id)}`);
  }
  const since = opts.journalSince ?? Math.floor(Date.now() / 1000) - DEFAULT_JOURNAL_WINDOW_S;
  if (!Number.isFinite(since) || since < 0) throw new Error(`invalid journalSince ${since}: epoch seconds expected`);
  const want = new Set<CheckId>(spec.checks);

  let script = PRELUDE;
  if (want.has("uptime")) script += "seroma_run uptime cat /proc/uptime\n";
  if (want.has("load")) script += `${NPROC}seroma_run loadavg cat /proc/loadavg\nseroma_run nproc seroma_nproc\n`;
  if (want.has("memory")) script += "seroma_run meminfo cat /proc/meminfo\n";
  if (want.has("services")) {
    script +=
      spec.services.length === 0
        ? "seroma_run services true\n"
        : ifAvailable(
            "systemctl",
            "services",
            `seroma_run services systemctl is-active -- ${spec.services.map(shQuote).join(" ")}`,
          );
  }
  if (want.has("journal")) {
    script += journalFunction(Math.floor(since));
    script += ifAvailable("journalctl", "journal", "seroma_run journal seroma_journal");
  }
  if (want.has("disk")) script += "seroma_run df df -P -k\n";
  return script;
}

interface Part {
  body: string[];
  /** Exit status; undefined when the end marker never came (output cut off). */
  rc?: number;
  stderr: string[];
  unavailable: boolean;
}

/** Splits the script's stdout into its parts. Lines outside any part (a login banner) are ignored. */
function splitParts(stdout: string): Map<string, Part> {
  const parts = new Map<string, Part>();
  const get = (name: string): Part => {
    let part = parts.get(name);
    if (!part) {
      part = { body: [], stderr: [], unavailable: false };
      parts.set(name, part);
    }
    return part;
  };
  let current: { name: string; part: Part } | undefined;
  for (const raw of stdout.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const begin = BEGIN.exec(line);
    if (begin?.[1]) {
      const part: Part = { body: [], stderr: [], unavailable: false };
      parts.set(begin[1], part);
      current = { name: begin[1], part };
      continue;
    }
    const end = END.exec(line);
    if (end && current && end[2] === current.name) {
      if (end[1]) current.part.body.push(end[1]);
      current.part.rc = Number(end[3]);
      current = undefined;
      continue;
    }
    const stderr = STDERR.exec(line);
    if (stderr?.[1] && !current) {
      get(stderr[1]).stderr.push(stderr[2] ?? "");
      continue;
    }
    const unavailable = UNAVAILABLE.exec(line);
    if (unavailable?.[1] && !current) {
      get(unavailable[1]).unavailable = true;
      continue;
    }
    if (current) current.part.body.push(line);
  }
  return parts;
}

type PartText = { ok: true; text: string; rc: number; stderr: string } | { ok: false; error: string };

function failure(command: string, rc: number, stderr: string): string {
  return `${command} failed (exit ${rc})${stderr ? `: ${stderr}` : ""}`;
}

/** A part's stdout, or why there is none. With allowFailure, a non-zero exit status is the caller's to judge. */
function partText(parts: Map<string, Part>, name: ScriptPart, allowFailure = false): PartText {
  const command = PART_COMMANDS[name];
  const part = parts.get(name);
  if (!part) {
    return { ok: false, error: `no output (${command} did not run: the output ends before it)` };
  }
  if (part.unavailable) return { ok: false, error: `no output (${command} is not installed on this host)` };
  if (part.rc === undefined)
    return { ok: false, error: `no output (${command} did not finish: the output is cut off)` };
  const stderr = part.stderr.join(" / ");
  if (part.rc !== 0 && !allowFailure) return { ok: false, error: failure(command, part.rc, stderr) };
  return { ok: true, text: part.body.join("\n"), rc: part.rc, stderr };
}

/** Adds the command's exit status and stderr to a parse error, when it failed. */
function withFailure<T>(outcome: CheckOutcome<T>, p: { rc: number; stderr: string }, command: string): CheckOutcome<T> {
  if (outcome.ok || (p.rc === 0 && !p.stderr)) return outcome;
  return { ok: false, error: `${outcome.error}; ${failure(command, p.rc, p.stderr)}` };
}

/**
 * The outcomes of exactly the checks in spec.checks, from the stdout of the script
 * buildCheckScript(spec) built. A missing or cut-off part gives `{ ok: false, error:
 * "no output (...)" }` for its check; a command that failed gives its exit status and
 * stderr. Exceptions: `systemctl is-active` exits non-zero whenever a unit is not
 * active, and df exits 1 when one mount cannot be read but still lists the others, so
 * both are judged on what they printed. Never throws.
 */
export function parseCheckOutput(stdout: string, spec: HostSpec): HostChecks {
  const parts = splitParts(stdout);
  const want = new Set<CheckId>(spec.checks);
  const checks: HostChecks = {};

  if (want.has("uptime")) {
    const p = partText(parts, "uptime");
    checks.uptime = p.ok ? parseUptime(p.text) : p;
  }
  if (want.has("load")) {
    const avg = partText(parts, "loadavg");
    const cores = partText(parts, "nproc");
    checks.load = !avg.ok ? avg : !cores.ok ? cores : parseLoad(avg.text, cores.text);
  }
  if (want.has("memory")) {
    const p = partText(parts, "meminfo");
    checks.memory = p.ok ? parseMeminfo(p.text) : p;
  }
  if (want.has("services")) {
    const part = parts.get("services");
    if (part?.unavailable) {
      checks.services = {
        ok: false,
        error: "systemctl is not installed on this host (no systemd): its services cannot be checked",
      };
    } else {
      const p = partText(parts, "services", true);
      checks.services = p.ok ? withFailure(parseServices(p.text, spec.services), p, "systemctl is-active") : p;
    }
  }
  if (want.has("journal")) {
    if (parts.get("journal")?.unavailable) checks.journal = parseJournal("", "", false);
    else {
      const p = partText(parts, "journal");
      if (!p.ok) checks.journal = p;
      else {
        const [count = "", ...latest] = p.text.split("\n");
        checks.journal = parseJournal(count, latest.join("\n"), true);
      }
    }
  }
  if (want.has("disk")) {
    const p = partText(parts, "df", true);
    checks.disk = p.ok ? withFailure(parseDf(p.text), p, "df -P -k") : p;
  }
  return checks;
}
