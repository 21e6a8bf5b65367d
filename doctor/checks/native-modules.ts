/**
 * Native modules: each is loaded the way the console loads it (better-sqlite3 opens an
 * in-memory database, since it loads its addon on first use). Required: better-sqlite3 and
 * sharp (fail). Optional, one per device driver (warn): the console runs without them and
 * simulates that device. A module built for another Node.js (after a Node upgrade) says
 * NODE_MODULE_VERSION: `npm rebuild NAME`; one npm dropped (its build failed) is missing.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { classifyNativeLoadError } from "../../hardware/native.ts";
import { type Check, fail, messageOf, ok, warn } from "../check.ts";

interface NativeModule {
  name: string;
  required: boolean;
  /** What the console uses it for. */
  usedFor: string;
  /** Loads it as the console does; throws what loading throws. */
  load(mod: Record<string, unknown>): void;
}

const nothing = () => {};

export const NATIVE_MODULES: readonly NativeModule[] = [
  {
    name: "better-sqlite3",
    required: true,
    usedFor: "the database",
    load(mod) {
      const Database = mod.default as new (file: string) => { close(): void };
      new Database(":memory:").close();
    },
  },
  { name: "sharp", required: true, usedFor: "photos and charts", load: nothing },
  { name: "i2c-bus", required: false, usedFor: "the LCD", load: nothing },
  { name: "spi-device", required: false, usedFor: "the card reader over /dev/spidev", load: nothing },
  { name: "node-dht-sensor", required: false, usedFor: "the DHT22 without the kernel overlay", load: nothing },
  { name: "onoff", required: false, usedFor: "the PIR without libgpiod's tools", load: nothing },
  { name: "mfrc522-rpi", required: false, usedFor: "the card reader (mfrc522-rpi driver)", load: nothing },
];

const require = createRequire(import.meta.url);

/** The installed version, from the package's own package.json (undefined when it cannot be found). */
async function versionOf(name: string): Promise<string | undefined> {
  try {
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 5; i++) {
      try {
        const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === name) return pkg.version;
      } catch {
        // not here: one folder up
      }
      dir = dirname(dir);
    }
  } catch {
    // not resolvable
  }
  return undefined;
}

export interface LoadProblem {
  /** Why, in a few words. */
  why: string;
  /** The command that fixes it. */
  fix: string;
}

/** What a load failure means and the command that fixes it. */
export function explainLoadError(name: string, e: unknown, required: boolean): LoadProblem {
  const failure = classifyNativeLoadError(e, [name]);
  const message = messageOf(e);
  const firstLine = message.split("\n")[0] ?? message;
  if (failure.kind === "missing") {
    return {
      why: "not installed",
      fix: required
        ? "`npm install` in the project folder"
        : `\`npm install --include=optional\` in the project folder (it compiles: \`sudo apt install build-essential python3\` first)`,
    };
  }
  if (failure.kind === "other-node") {
    const { built, wants } = failure;
    return {
      why: `built for another Node.js${built && wants ? ` (NODE_MODULE_VERSION ${built}, this Node needs ${wants})` : ""}`,
      fix: `\`npm rebuild ${name}\` (after a Node upgrade: \`npm rebuild\`)`,
    };
  }
  if (name === "sharp") {
    return {
      why: firstLine,
      fix: "`npm install --include=optional sharp` (it fetches the prebuilt libvips for this platform)",
    };
  }
  if (failure.kind === "unbuilt") {
    return {
      why: "its native addon was never built",
      fix: `\`npm rebuild ${name}\` (needs \`sudo apt install build-essential python3\`)`,
    };
  }
  return { why: firstLine, fix: `\`npm rebuild ${name}\`` };
}

async function tryLoad(m: NativeModule): Promise<{ ok: true; version?: string } | { ok: false; problem: LoadProblem }> {
  try {
    const specifier: string = m.name; // not a literal: optional modules may have no typings
    m.load((await import(specifier)) as Record<string, unknown>);
  } catch (e) {
    return { ok: false, problem: explainLoadError(m.name, e, m.required) };
  }
  const version = await versionOf(m.name);
  return version ? { ok: true, version } : { ok: true };
}

export const nativeModulesCheck: Check = {
  id: "native-modules",
  title: "Native modules",
  manual: `node -e "require('better-sqlite3'); require('sharp')"`,
  async run() {
    const results = await Promise.all(NATIVE_MODULES.map(async (m) => ({ m, r: await tryLoad(m) })));
    const loaded = results.flatMap(({ m, r }) => (r.ok ? [r.version ? `${m.name} ${r.version}` : m.name] : []));
    const broken = results.flatMap(({ m, r }) => (r.ok ? [] : [{ m, problem: r.problem }]));
    const loads = loaded.length > 0 ? `load: ${loaded.join(", ")}` : "none load";
    if (broken.length === 0) return ok(loads);
    const said = broken.map(({ m, problem }) => `${m.name} (${m.usedFor}): ${problem.why}`).join("; ");
    const fixes = broken.map(({ problem }) => problem.fix).join("; ");
    const requiredBroken = broken.some(({ m }) => m.required);
    return requiredBroken
      ? fail(`${said}; ${loads}`, fixes)
      : warn(`optional ${said}: the console simulates that device; ${loads}`, fixes);
  },
};
