/**
 * Which board this is, from the device tree (what rpio and the kernel read too):
 * /proc/device-tree/model, under an injectable root so tests can fake it. Pure parsing
 * apart from that one read; never rejects.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export interface Board {
  /** The model string ("Raspberry Pi 5 Model B Rev 1.0"), or undefined when there is no device tree model. */
  model: string | undefined;
  raspberryPi: boolean;
  /** A Raspberry Pi 5 family board (Pi 5, Pi 500, Compute Module 5): RP1 GPIO, which rpio cannot drive. */
  pi5: boolean;
  /** For people: the model, or why it is unknown. */
  description: string;
}

export const DEVICE_TREE_MODEL = "proc/device-tree/model";

/** Whether a device-tree model names a Raspberry Pi 5 family board. */
export function isPi5Model(model: string): boolean {
  return /^Raspberry Pi (5|500|Compute Module 5)\b/.test(model);
}

/** The board from its device-tree model text (NUL-terminated in the file). */
export function boardFromModel(text: string | undefined): Board {
  const model = text?.replace(/\0+$/, "").trim() || undefined;
  if (model === undefined) {
    return { model, raspberryPi: false, pi5: false, description: "not a Raspberry Pi (no device-tree model)" };
  }
  const raspberryPi = /^Raspberry Pi\b/.test(model);
  return { model, raspberryPi, pi5: raspberryPi && isPi5Model(model), description: model };
}

/** Reads `<root>/proc/device-tree/model` (root "/" by default). */
export async function detectBoard(root = "/"): Promise<Board> {
  try {
    return boardFromModel(await readFile(join(root, DEVICE_TREE_MODEL), "latin1"));
  } catch {
    return boardFromModel(undefined);
  }
}
