/**
 * Runs the checks concurrently, each with its own time limit: a check that has not finished
 * in time is reported as timed out (a fail, with the command to run by hand) and its
 * programs are killed, so one hung probe never hangs the doctor. A check that throws is a
 * fail too, with what it threw. Results come back in the order of the list.
 */
import { type Check, type CheckResult, type Finding, fail, messageOf } from "./check.ts";
import type { DoctorSession } from "./context.ts";

export interface RunChecksOptions {
  /** Time limit of each check (ms). */
  timeoutMs: number;
}

const TIMED_OUT = Symbol("timed out");

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

async function runOne(check: Check, session: DoctorSession, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  let finding: Finding;
  try {
    const outcome = await Promise.race([check.run(session.forCheck(abort.signal)), timeout]);
    finding =
      outcome === TIMED_OUT
        ? fail(
            `timed out: no answer within ${seconds(timeoutMs)} (a probe hangs)`,
            `run \`${check.manual}\` by hand to see where it hangs`,
          )
        : outcome;
  } catch (e) {
    finding = fail(`the check itself failed: ${messageOf(e)}`, `run \`${check.manual}\` by hand`);
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return {
    id: check.id,
    title: check.title,
    status: finding.status,
    detail: finding.detail,
    ...(finding.hint !== undefined ? { hint: finding.hint } : {}),
    ms: Math.round(performance.now() - started),
  };
}

export async function runChecks(
  checks: readonly Check[],
  session: DoctorSession,
  opts: RunChecksOptions,
): Promise<CheckResult[]> {
  try {
    return await Promise.all(checks.map((check) => runOne(check, session, opts.timeoutMs)));
  } finally {
    session.close();
  }
}
