/**
 * The optional native packages of the real drivers (node-dht-sensor, i2c-bus, spi-device,
 * onoff, mfrc522-rpi): each is an optionalDependency loaded with dynamic `import()` by its
 * driver only, so the project installs and runs where it cannot build. When loading fails,
 * this says why and what to do, the same way for all of them:
 *
 *   not installed ("Cannot find package 'x'", "Cannot find module 'x'": npm dropped it, its
 *                 build failed)                      -> "the x package is not installed" + how to install it
 *   not built     ("Could not locate the bindings file": installed without its addon)
 *   other Node    ("was compiled against a different Node.js version using NODE_MODULE_VERSION
 *                 115. This version of Node.js requires NODE_MODULE_VERSION 127": Node upgraded)
 *   anything else                                    -> "x could not be loaded (...)" + `npm rebuild`
 *
 * classifyNativeLoadError is the diagnosis alone (the doctor words it its own way).
 */
import { codeOf, messageOf } from "./errors.ts";

/** An optional native package, as its driver loads it. */
export interface NativePackage {
  /** Its npm name: "node-dht-sensor". */
  name: string;
  /** The package that builds the native addon, when another one does (onoff: "epoll"; mfrc522-rpi: "rpio"). */
  addon?: string;
  /** Packages it loads at once, whose absence means it is not installed either (onoff: epoll). */
  loads?: readonly string[];
  /** How to install it, and what else to do (ends every message). */
  installHint: string;
  /** How "is not installed" names it (default: "the <name> package"). */
  called?: string;
}

export type NativeLoadFailure =
  | { kind: "missing" }
  | { kind: "unbuilt" }
  | {
      kind: "other-node";
      /** The NODE_MODULE_VERSION it was built for, and the one this Node needs, when the error says. */
      built?: string;
      wants?: string;
    }
  | { kind: "broken" };

/** Why loading a package failed, from the error (see the top of this file). */
export function classifyNativeLoadError(e: unknown, names: readonly string[]): NativeLoadFailure {
  const code = codeOf(e);
  const message = messageOf(e);
  if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && names.some((n) => message.includes(n))) {
    return { kind: "missing" };
  }
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(message)) {
    const built = /using\s+NODE_MODULE_VERSION (\d+)/.exec(message)?.[1];
    const wants = /requires\s+NODE_MODULE_VERSION (\d+)/.exec(message)?.[1];
    return { kind: "other-node", ...(built ? { built } : {}), ...(wants ? { wants } : {}) };
  }
  if (/Could not locate the bindings file/.test(message)) return { kind: "unbuilt" };
  return { kind: "broken" };
}

export interface NativeLoadProblem {
  failure: NativeLoadFailure;
  /** What is wrong: "the i2c-bus package is not installed". */
  problem: string;
  /** What to do: the install hint, after `npm rebuild` when it is installed. */
  fix: string;
  /** `${problem}. ${fix}` */
  message: string;
}

/** What a failed load of `pkg` means and what to do about it, in words for the start-up log. */
export function describeNativeLoadError(pkg: NativePackage, e: unknown): NativeLoadProblem {
  const failure = classifyNativeLoadError(e, [pkg.name, ...(pkg.loads ?? [])]);
  let problem: string;
  let fix: string;
  if (failure.kind === "missing") {
    problem = `${pkg.called ?? `the ${pkg.name} package`} is not installed`;
    fix = pkg.installHint;
  } else {
    const addon = pkg.addon ?? pkg.name;
    const whose = pkg.addon ? `${pkg.addon}'s native addon` : "its native addon";
    const state =
      failure.kind === "unbuilt"
        ? "was never built"
        : failure.kind === "other-node"
          ? "was built for another Node.js version"
          : "may be missing or built for another Node.js version";
    const said = messageOf(e).replace(/\s*\n\s*/g, " ");
    problem = `${pkg.name} could not be loaded (${said}); ${whose} ${state}`;
    fix = `Run \`npm rebuild ${addon}\`. ${pkg.installHint}`;
  }
  return { failure, problem, fix, message: `${problem}. ${fix}` };
}

export interface InstallHintParts {
  /** What compiles on `npm install`: "i2c-bus", "rpio", "onoff's epoll addon", "it". */
  compiles: string;
  /** Said after the build step, inside the brackets ("on a Pi 5 use ..."). */
  note?: string;
  /** The other way out, after a comma: "or set HARDWARE=sim". */
  orElse?: string;
}

/**
 * The install hint of an optional native package: "On the Raspberry Pi run `npm install
 * --include=optional` in the project folder (X compiles: `sudo apt install build-essential
 * python3` first), or set HARDWARE=sim."
 */
export function nativeInstallHint(parts: InstallHintParts): string {
  return (
    "On the Raspberry Pi run `npm install --include=optional` in the project folder " +
    `(${parts.compiles} compiles: \`sudo apt install build-essential python3\` first` +
    `${parts.note ? `; ${parts.note}` : ""})${parts.orElse ? `, ${parts.orElse}` : ""}.`
  );
}
