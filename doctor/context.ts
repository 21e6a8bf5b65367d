/**
 * What every check may look at: the system (files under the doctor's root, programs on its
 * PATH), the configuration as the console would parse it, and a few facts several checks
 * share (the board, config.txt, the user), each read once.
 *
 * The root is "/" on a real Pi. DOCTOR_ROOT points it at another tree laid out like a Pi's
 * (proc/, sys/, dev/, run/, etc/, boot/firmware/): the tests' fake Pi, or a Pi's SD card
 * mounted elsewhere. Programs are not under the root: they are whatever PATH finds.
 * Probes that open device nodes through native libraries with fixed paths (i2c-bus, rpio,
 * node-dht-sensor) only run when the root is "/".
 */
import { isAbsolute, join, resolve } from "node:path";
import type { Config } from "../core/config.ts";
import { type Board, readBoard } from "./facts/board.ts";
import { type ConfigTxt, readConfigTxt } from "./facts/config-txt.ts";
import { parseId, type UserInfo } from "./facts/user.ts";
import { type ProgramResult, runProgram } from "./programs.ts";

export type ConfigState =
  | { ok: true; config: Config; source: string }
  | { ok: false; errors: string[]; source: string };

export interface DoctorOptions {
  /** "/" or a tree laid out like a Pi's. */
  root: string;
  /** Environment of the programs the checks run (PATH finds them). */
  env: NodeJS.ProcessEnv;
  config: ConfigState;
  node: {
    /** The version judged (this process's, or DOCTOR_NODE_VERSION's). */
    version: string;
    /** This process's. */
    running: string;
  };
}

export interface DoctorContext {
  readonly root: string;
  /** Whether the root is not "/" (probes that need the real /dev are not run). */
  readonly fakeRoot: boolean;
  /** Where a system path ("/dev/i2c-1") is under the root. */
  at(path: string): string;
  readonly env: NodeJS.ProcessEnv;
  readonly config: ConfigState;
  readonly node: DoctorOptions["node"];
  /** Aborted when the check runs out of time: its programs are killed. */
  readonly signal: AbortSignal;
  /** Runs a program on PATH (killed when the check times out). */
  run(command: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<ProgramResult>;
  board(): Promise<Board>;
  /** config.txt as it applies to this board; undefined when there is none. */
  configTxt(): Promise<ConfigTxt | undefined>;
  /** The user from `id`; undefined when `id` cannot be run or says something else. */
  user(): Promise<UserInfo | undefined>;
}

export interface DoctorSession {
  /** A context for one check, whose programs die with `signal`. */
  forCheck(signal: AbortSignal): DoctorContext;
  /** Kills what the shared facts still run. */
  close(): void;
}

export function createDoctorSession(opts: DoctorOptions): DoctorSession {
  const root = resolve(opts.root);
  const at = (path: string) => (root === "/" ? path : join(root, isAbsolute(path) ? path.slice(1) : path));
  const shared = new AbortController();
  const once = <T>(read: () => Promise<T>): (() => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => {
      value ??= read();
      return value;
    };
  };
  const board = once(() => readBoard(at));
  const configTxt = once(async () => readConfigTxt(at, (await board()).model));
  const user = once(async () => {
    const r = await runProgram("id", [], { env: opts.env, signal: shared.signal });
    return r.found && r.code === 0 ? parseId(r.stdout) : undefined;
  });
  return {
    forCheck(signal) {
      return {
        root,
        fakeRoot: root !== "/",
        at,
        env: opts.env,
        config: opts.config,
        node: opts.node,
        signal,
        run: (command, args, o) =>
          runProgram(command, args, {
            env: opts.env,
            signal,
            ...(o?.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
          }),
        board,
        configTxt,
        user,
      };
    },
    close() {
      shared.abort();
    },
  };
}
