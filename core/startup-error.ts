/**
 * Start-up failures a user can fix, told in one line: what is wrong, where, and how to fix it.
 *
 * An address the console cannot listen on (taken, privileged, not this machine's, a name that
 * does not resolve) becomes an `AddressError` where the listen fails (`toAddressError`, which
 * knows which variables chose the address); a database that cannot be opened for a reason a
 * person must fix is a `DatabaseOpenError` (storage/sqlite/database.ts). Both are
 * `StartupError`s: main.ts prints `formatStartupError(err)` and exits 1.
 * Anything else is reported as before, with its stack: it is a bug or something unforeseen.
 */

/** What was to listen where, and which variables (if any) chose the address. */
export interface ListenTarget {
  /** e.g. "local mode's page", named when no variable chose the address. */
  service: string;
  host: string;
  port: number;
  hostVariable?: string;
  portVariable?: string;
}

export type AddressProblem = "in-use" | "forbidden" | "not-local" | "unresolvable";

const PROBLEMS: Readonly<Record<string, AddressProblem>> = {
  EADDRINUSE: "in-use",
  EACCES: "forbidden",
  EPERM: "forbidden",
  EADDRNOTAVAIL: "not-local",
  ENOTFOUND: "unresolvable",
  EAI_AGAIN: "unresolvable",
  EAI_NONAME: "unresolvable",
};

/**
 * A start-up failure a person can fix, whose message is the whole story in one line
 * (what, where, how to fix it): printed without a stack trace.
 */
export class StartupError extends Error {
  override name = "StartupError";
}

export class AddressError extends StartupError {
  readonly problem: AddressProblem;
  readonly target: ListenTarget;

  constructor(problem: AddressProblem, target: ListenTarget, options?: { cause?: unknown }) {
    super(describe(problem, target), options);
    this.problem = problem;
    this.target = target;
    this.name = "AddressError";
  }
}

/** An `AddressError` for a listen that failed on its address; any other error is returned as it is. */
export function toAddressError(err: unknown, target: ListenTarget): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const problem = code ? PROBLEMS[code] : undefined;
  return problem ? new AddressError(problem, target, { cause: err }) : err;
}

/** The text main.ts prints when start-up fails (without the final newline). */
export function formatStartupError(err: unknown): string {
  if (err instanceof StartupError) return `Seroma cannot start: ${err.message}`;
  return `Seroma failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}

function describe(problem: AddressProblem, t: ListenTarget): string {
  const hostPart = t.host.includes(":") ? `[${t.host}]` : t.host;
  const hostOnly = `${t.host} (${t.hostVariable ?? t.service})`;
  const address = `${hostPart}:${t.port} (${
    t.hostVariable && t.portVariable ? `${t.hostVariable}:${t.portVariable}` : t.service
  })`;
  const setHost = t.hostVariable ? `set ${t.hostVariable} to one of its addresses, e.g. 127.0.0.1` : undefined;
  switch (problem) {
    case "in-use":
      return `${address} is already in use by another program; stop it${t.portVariable ? ` or set ${t.portVariable} to a free port` : ""}.`;
    case "forbidden": {
      const privileged = t.port > 0 && t.port < 1024;
      const fix = t.portVariable
        ? `set ${t.portVariable} to ${privileged ? "1024 or above" : "another port"}`
        : "run the console as a user allowed to open it";
      return `${address} may not be opened by this user${privileged ? " (ports below 1024 need privileges)" : ""}; ${fix}.`;
    }
    case "not-local":
      return `${hostOnly} is not an address of this machine; ${setHost ?? "check that its loopback interface is up (ip link set lo up)"}.`;
    case "unresolvable":
      return `${hostOnly} is not a name this machine can resolve; ${setHost ?? "check /etc/hosts"}.`;
  }
}
