/**
 * Pure parsers for the output of the read-only server checks (see servers/checks.ts for
 * the commands). Each takes the text a command printed and returns a CheckOutcome: the
 * parsed value, or a short error saying what was wrong with the text. They never throw
 * and never do I/O.
 */
import type {
  CheckOutcome,
  JournalResult,
  LoadResult,
  MemoryResult,
  MountUsage,
  ServiceState,
  UptimeResult,
} from "../core/servers/types.ts";

const ok = <T>(value: T): CheckOutcome<T> => ({ ok: true, value });
const fail = <T>(error: string): CheckOutcome<T> => ({ ok: false, error });

/** Up to 60 characters of the text, for error messages: enough to recognise, never a whole dump. */
function excerpt(text: string): string {
  const flat = text.trim().replace(/\s+/g, " ");
  if (flat === "") return "empty output";
  return JSON.stringify(flat.length > 60 ? `${flat.slice(0, 60)}…` : flat);
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l !== "");
}

const DECIMAL = /^\d+(?:\.\d+)?$/;
const INTEGER = /^\d+$/;

/** `/proc/uptime`: "12345.67 23456.78" (seconds up, idle seconds summed over cores) -> seconds up, as printed. */
export function parseUptime(text: string): CheckOutcome<UptimeResult> {
  const first = text.trim().split(/\s+/)[0] ?? "";
  if (!DECIMAL.test(first)) return fail(`cannot read uptime from ${excerpt(text)}`);
  return ok({ seconds: Number(first) });
}

/**
 * `/proc/loadavg` ("0.52 0.58 0.59 1/123 4567") and the number of cores: the output of
 * `nproc` or of `grep -c ^processor /proc/cpuinfo` (both a single number), or the whole
 * of /proc/cpuinfo (its "processor : N" lines are counted).
 */
export function parseLoad(loadavgText: string, nprocText: string): CheckOutcome<LoadResult> {
  const fields = loadavgText.trim().split(/\s+/);
  const [a, b, c] = fields;
  if (a === undefined || b === undefined || c === undefined || ![a, b, c].every((f) => DECIMAL.test(f))) {
    return fail(`cannot read load averages from ${excerpt(loadavgText)}`);
  }
  const cores = parseCores(nprocText);
  if (cores === undefined) return fail(`cannot read the number of cores from ${excerpt(nprocText)}`);
  return ok({ load1: Number(a), load5: Number(b), load15: Number(c), cores });
}

function parseCores(text: string): number | undefined {
  const trimmed = text.trim();
  if (INTEGER.test(trimmed)) {
    const n = Number(trimmed);
    return n >= 1 ? n : undefined;
  }
  const n = lines(text).filter((l) => /^processor\s*:/.test(l)).length;
  return n >= 1 ? n : undefined;
}

/**
 * `/proc/meminfo` (values in kB). Available memory is MemAvailable where the kernel has
 * it (3.14 and later); on older kernels it is estimated as MemFree + Buffers + Cached +
 * SReclaimable (SReclaimable counted as 0 if absent), which is what `free` did before.
 */
export function parseMeminfo(text: string): CheckOutcome<MemoryResult> {
  const kb = new Map<string, number>();
  for (const line of lines(text)) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) kb.set(m[1], Number(m[2]));
  }
  const total = kb.get("MemTotal");
  if (total === undefined || total <= 0) return fail(`no MemTotal in ${excerpt(text)}`);
  let available = kb.get("MemAvailable");
  if (available === undefined) {
    const free = kb.get("MemFree");
    const buffers = kb.get("Buffers");
    const cached = kb.get("Cached");
    if (free === undefined || buffers === undefined || cached === undefined) {
      return fail("no MemAvailable, and MemFree, Buffers or Cached is missing too");
    }
    available = free + buffers + cached + (kb.get("SReclaimable") ?? 0);
  }
  available = Math.min(available, total);
  const usedPct = Math.round(((total - available) / total) * 1000) / 10;
  return ok({ totalBytes: total * 1024, availableBytes: available * 1024, usedPct });
}

/**
 * Filesystems that are not disks, by the name df prints in its first column. df -P
 * does not print the filesystem type, but these are the source names the kernel,
 * systemd, udev, OpenRC and Docker give them.
 */
export const PSEUDO_FILESYSTEMS: readonly string[] = [
  "tmpfs",
  "devtmpfs",
  "udev",
  "dev",
  "mdev",
  "run",
  "shm",
  "none",
  "ramfs",
  "proc",
  "sysfs",
  "cgroup",
  "cgroup2",
  "cgroup_root",
  "efivarfs",
  "devpts",
  "securityfs",
  "pstore",
  "bpf",
  "debugfs",
  "tracefs",
  "mqueue",
  "hugetlbfs",
  "configfs",
  "fusectl",
];

/**
 * Whether a df line is skipped rather than reported:
 * - its filesystem is one of PSEUDO_FILESYSTEMS (memory-backed or kernel interfaces:
 *   tmpfs, devtmpfs/udev, proc, sysfs, cgroup, efivarfs, ...);
 * - it is mounted under /proc, /sys or /dev (only kernel and memory filesystems live there);
 * - it is a snap: a squashfs image mounted under /snap/ or /var/lib/snapd/snap/, always 100% full;
 * - it is OpenWrt's read-only squashfs root at /rom, always 100% full;
 * - it has no blocks at all (an autofs or fuse placeholder).
 * Everything else is kept: real block devices, /boot/efi and /boot/firmware (vfat),
 * network filesystems, overlay (Docker, OpenWrt's root), /dev/root.
 */
export function isSkippedMount(filesystem: string, mount: string, sizeKb: number): boolean {
  if (PSEUDO_FILESYSTEMS.includes(filesystem)) return true;
  if (/^\/(proc|sys|dev)(\/|$)/.test(mount)) return true;
  if (mount.startsWith("/snap/") || mount.startsWith("/var/lib/snapd/snap/")) return true;
  if (mount === "/rom") return true;
  return sizeKb === 0;
}

// filesystem, size, used, available, capacity ("17%", or "-" when size is 0), mount point.
// The filesystem is the shortest prefix followed by four numeric columns, so mount
// points (the rest of the line) may contain spaces.
const DF_ROW = /^(\S.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\S.*)$/;
const DF_CONTINUATION = /^\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\S.*)$/;

/**
 * `df -P -k` from GNU coreutils or BusyBox (header "Filesystem 1024-blocks Used
 * Available Capacity Mounted on"; also "1K-blocks ... Use%" without -P), in 1024-byte
 * blocks -> the mounts that are disks (see isSkippedMount). A filesystem name too long
 * for its column, which plain `df` (not -P) wraps onto a line of its own, is joined to
 * the numbers on the next line. Mount points keep their spaces. Lines that are neither
 * the header nor a row make the whole outcome an error: the text is not df's.
 */
export function parseDf(text: string): CheckOutcome<MountUsage[]> {
  const rows = lines(text);
  const header = rows.shift();
  if (header === undefined) return fail("df printed nothing");
  if (!/^Filesystem\s+(1024|1K)-blocks\s+Used\s+Avail(able)?\s+(Capacity|Use%)\s+Mounted on$/.test(header)) {
    return fail(`not df -P output: header is ${excerpt(header)}`);
  }
  const mounts: MountUsage[] = [];
  for (let i = 0; i < rows.length; i++) {
    const line = rows[i] ?? "";
    let fields: string[] | undefined;
    const row = DF_ROW.exec(line);
    if (row) fields = row.slice(1);
    else {
      const next = DF_CONTINUATION.exec(rows[i + 1] ?? "");
      if (next && /^\S+$/.test(line)) {
        fields = [line, ...next.slice(1)];
        i++;
      }
    }
    if (!fields) return fail(`unexpected df line ${excerpt(line)}`);
    const [filesystem = "", size = "0", used = "0", , capacity = "-", mount = ""] = fields;
    const sizeKb = Number(size);
    if (isSkippedMount(filesystem, mount, sizeKb)) continue;
    mounts.push({
      mount,
      filesystem,
      sizeBytes: sizeKb * 1024,
      usedBytes: Number(used) * 1024,
      usedPct: capacity === "-" ? 0 : Number.parseInt(capacity, 10),
    });
  }
  if (mounts.length === 0) return fail("df listed no disk filesystems");
  return ok(mounts);
}

/**
 * `systemctl is-active -- NAME...`: one state per line, in the order of the names
 * (units that do not exist print "inactive"; the exit status is non-zero whenever one
 * is not active, which is normal). A line count that differs from the names, or a line
 * that is not a single lowercase word, is an error.
 */
export function parseServices(text: string, names: readonly string[]): CheckOutcome<ServiceState[]> {
  const states = lines(text).map((l) => l.trim());
  if (states.length !== names.length) {
    return fail(
      `systemctl's states do not match the units asked for (states: ${states.length}, units: ${names.length}): ${excerpt(text)}`,
    );
  }
  const bad = states.find((s) => !/^[a-z][a-z-]*$/.test(s));
  if (bad !== undefined) return fail(`unexpected unit state ${excerpt(bad)}`);
  return ok(names.map((name, i) => ({ name, state: states[i] ?? "unknown" })));
}

/** journalctl's own notes, never log entries: "-- No entries --", "-- Boot 1a2b... --", "-- Logs begin at ... --". */
const JOURNAL_NOTE = /^-- .* --$/;

/**
 * The journal check: the number of entries at priority err or above (a number; an
 * empty text or journalctl's "-- No entries --" count as 0) and the latest lines as
 * journalctl printed them (its "-- ... --" notes dropped, at most the last 5 kept).
 * Where there is no journalctl (available false), the check is skipped: count 0.
 */
export function parseJournal(countText: string, linesText: string, available: boolean): CheckOutcome<JournalResult> {
  if (!available) return ok({ count: 0, latest: [], available: false });
  const countRaw = countText.trim();
  let count: number;
  if (countRaw === "" || JOURNAL_NOTE.test(countRaw)) count = 0;
  else if (INTEGER.test(countRaw)) count = Number(countRaw);
  else return fail(`cannot read the journal entry count from ${excerpt(countText)}`);
  const latest = linesText
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l !== "" && !JOURNAL_NOTE.test(l))
    .slice(-5);
  return ok({ count, latest, available: true });
}
