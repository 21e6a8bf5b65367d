/**
 * Server checks: the host catalogue's entries, the fixed set of read-only checks, and
 * what a run finds. Shared by the SSH client (servers/ssh-client.ts), the check
 * commands and their parsers (servers/checks.ts, servers/parsers.ts), the server-check
 * job and the bot. Nothing here does I/O.
 */

/** The fixed catalogue of checks. Never a user-supplied command. */
export const CHECK_IDS = ["uptime", "load", "memory", "disk", "services", "journal"] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface HostThresholds {
  /** Disk usage per mount, percent: over it is a problem. */
  diskPct: number;
  /** 1-minute load average per core: over it is a problem. */
  loadPerCore: number;
  /** Memory in use (total - available), percent: over it is a problem. */
  memoryPct: number;
}

export interface HostSpec {
  /** Short unique name, e.g. "web1" (lowercase letters, digits, '-', '_'). */
  name: string;
  /** IP address or DNS name. */
  address: string;
  port: number;
  user: string;
  /** Private key file (OpenSSH or PEM format); undefined: the console's default SSH_KEY_FILE. */
  keyFile?: string;
  /** The pinned host key, as `ssh-keygen -lf` prints it: "SHA256:" + unpadded base64 of the key's SHA-256. */
  hostKey: string;
  /** Which checks to run (reachability is always checked: it is the connection itself). */
  checks: CheckId[];
  /** systemd units that must be active (names checked against SERVICE_NAME). */
  services: string[];
  thresholds: HostThresholds;
  /** Who added it and when (chat); absent for hosts from a file. */
  addedBy?: number;
  addedAt?: number;
}

/** A systemd unit name we are willing to put on a command line. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9@._:-]{0,127}$/;
/** A host name in the catalogue. */
export const HOST_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** A login user name. */
export const USER_NAME = /^[a-z_][a-z0-9_.-]{0,31}$/i;

export interface UptimeResult {
  seconds: number;
}
export interface LoadResult {
  load1: number;
  load5: number;
  load15: number;
  cores: number;
}
export interface MemoryResult {
  totalBytes: number;
  availableBytes: number;
  /** (total - available) / total * 100, one decimal. */
  usedPct: number;
}
export interface MountUsage {
  mount: string;
  filesystem: string;
  sizeBytes: number;
  usedBytes: number;
  /** As df reports it (rounded up), 0..100. */
  usedPct: number;
}
export interface ServiceState {
  name: string;
  /** systemctl is-active's answer: active, inactive, failed, activating, unknown... */
  state: string;
}
export interface JournalResult {
  /** Entries at priority err or above since the last check. */
  count: number;
  /** The latest few lines (at most 5), as journalctl printed them. */
  latest: string[];
  /** False where there is no journalctl (BusyBox, non-systemd): the check is skipped, not failed. */
  available: boolean;
}

/** The outcome of one check on one host: parsed, or why not. */
export type CheckOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface HostChecks {
  uptime?: CheckOutcome<UptimeResult>;
  load?: CheckOutcome<LoadResult>;
  memory?: CheckOutcome<MemoryResult>;
  disk?: CheckOutcome<MountUsage[]>;
  services?: CheckOutcome<ServiceState[]>;
  journal?: CheckOutcome<JournalResult>;
}

export type ConnectFailure =
  /** TCP connect refused, no route, DNS failure. */
  | "unreachable"
  /** No answer within the connect timeout. */
  | "timeout"
  /** The host's key does not match its pin: refused before authenticating. */
  | "host-key-mismatch"
  /** The key was refused (wrong user, key not authorized). */
  | "auth-failed"
  /** The private key file cannot be read or parsed. */
  | "key-file"
  /** The connection dropped while the checks ran, or a command timed out. */
  | "dropped";

export interface HostResult {
  host: string;
  /** Epoch ms when the run started. */
  at: number;
  durationMs: number;
  reachable: boolean;
  /** Set when not reachable (or when the connection failed midway). */
  failure?: { kind: ConnectFailure; message: string; presentedHostKey?: string };
  checks: HostChecks;
}
