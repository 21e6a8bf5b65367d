/**
 * The Raspberry Pi firmware's config.txt, as far as the doctor needs it: which `dtparam=`
 * settings and `dtoverlay=` lines apply to this board.
 *
 * - Where: /boot/firmware/config.txt since Bookworm (/boot/config.txt is then a stub that
 *   says so), /boot/config.txt before.
 * - `#` starts a comment; `[filter]` lines start a conditional section: `[all]` applies
 *   everywhere, `[none]` nowhere, model filters (`[pi4]`, `[pi5]`, `[cm4]`, `[pi02]`...)
 *   only on those boards; other filters (`[gpio4=1]`, `[HDMI:0]`, `[EDID=...]`, serial
 *   numbers) cannot be judged here and are taken to apply, `[tryboot]` is not.
 * - `dtparam=a=on,b=off` sets base parameters (`i2c` is an alias of `i2c_arm`); a value of
 *   on/true/yes/okay, or none, means on.
 * - `dtoverlay=name,param=value,...` loads an overlay; `dtparam=` lines after it also set
 *   that overlay's parameters (the older style: `dtoverlay=dht11` then `dtparam=gpiopin=17`).
 *   An overlay without `gpiopin` uses its default (the dht11 overlay's is 4).
 */
import { readFile } from "node:fs/promises";

export const CONFIG_TXT_PATHS = ["/boot/firmware/config.txt", "/boot/config.txt"] as const;

export interface Overlay {
  name: string;
  params: Map<string, string>;
  /** 1-based line number of its `dtoverlay=` line. */
  line: number;
}

export interface ConfigTxt {
  /** Where it is on the Pi, e.g. /boot/firmware/config.txt. */
  path: string;
  /** Base dtparams that apply to this board, last one wins. */
  dtparams: Map<string, string>;
  overlays: Overlay[];
}

const ON = new Set(["", "on", "true", "yes", "okay"]);

export function isOn(value: string | undefined): boolean {
  return value !== undefined && ON.has(value.toLowerCase());
}

/** Whether a `[filter]` section applies to a board with this model string. */
export function sectionApplies(filter: string, model: string | undefined): boolean {
  const f = filter.trim().toLowerCase();
  if (f === "all") return true;
  if (f === "none" || f === "tryboot") return false;
  const m = model ?? "";
  const models: Record<string, RegExp> = {
    pi0: /^Raspberry Pi Zero\b/,
    pi0w: /^Raspberry Pi Zero W\b/,
    pi02: /^Raspberry Pi Zero 2\b/,
    pi1: /^Raspberry Pi Model [AB]\b/,
    pi2: /^Raspberry Pi 2\b/,
    pi3: /^Raspberry Pi (3|Compute Module 3)\b/,
    "pi3+": /^Raspberry Pi 3 Model [AB] Plus\b/,
    pi4: /^Raspberry Pi (4|400|Compute Module 4)\b/,
    pi400: /^Raspberry Pi 400\b/,
    cm4: /^Raspberry Pi Compute Module 4\b/,
    cm4s: /^Raspberry Pi Compute Module 4S\b/,
    pi5: /^Raspberry Pi (5|500|Compute Module 5)\b/,
    pi500: /^Raspberry Pi 500\b/,
    cm5: /^Raspberry Pi Compute Module 5\b/,
  };
  const pattern = models[f];
  return pattern ? pattern.test(m) : true;
}

function params(list: string[], into: Map<string, string>): void {
  for (const item of list) {
    const trimmed = item.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf("=");
    const name = (eq < 0 ? trimmed : trimmed.slice(0, eq)).trim().toLowerCase();
    into.set(name === "i2c" ? "i2c_arm" : name, eq < 0 ? "" : trimmed.slice(eq + 1).trim());
  }
}

/** Parses config.txt's text for a board with `model` (see the top of this file). */
export function parseConfigTxt(text: string, path: string, model: string | undefined): ConfigTxt {
  const dtparams = new Map<string, string>();
  const overlays: Overlay[] = [];
  let applies = true;
  let last: Overlay | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      applies = sectionApplies(section[1] as string, model);
      return;
    }
    if (!applies) return;
    const setting = /^(dtparam|dtoverlay)\s*=\s*(.*)$/i.exec(line);
    if (!setting) return;
    const value = setting[2] as string;
    if ((setting[1] as string).toLowerCase() === "dtparam") {
      const list = value.split(",");
      params(list, dtparams);
      if (last) params(list, last.params);
      return;
    }
    const [name = "", ...rest] = value.split(/[,:]/);
    if (!name.trim()) {
      last = undefined; // `dtoverlay=` alone: later dtparams are the base's again
      return;
    }
    last = { name: name.trim(), params: new Map(), line: index + 1 };
    params(rest, last.params);
    overlays.push(last);
  });
  return { path, dtparams, overlays };
}

/** Finds and parses config.txt under the doctor's root; undefined when there is none. */
export async function readConfigTxt(
  at: (path: string) => string,
  model: string | undefined,
): Promise<ConfigTxt | undefined> {
  for (const path of CONFIG_TXT_PATHS) {
    let text: string;
    try {
      text = await readFile(at(path), "utf8");
    } catch {
      continue;
    }
    // Bookworm's /boot/config.txt is a stub pointing at the real one
    if (path === "/boot/config.txt" && /has moved to \/boot\/firmware\/config\.txt/i.test(text)) continue;
    return parseConfigTxt(text, path, model);
  }
  return undefined;
}
