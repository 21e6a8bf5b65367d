/** Board detection from the device tree, under a fake root. */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { boardFromModel, detectBoard, isPi5Model } from "../../../hardware/system/board.ts";

async function withModel(model: string | undefined, fn: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "seroma-board-"));
  try {
    if (model !== undefined) {
      await mkdir(join(root, "proc/device-tree"), { recursive: true });
      await writeFile(join(root, "proc/device-tree/model"), model);
    }
    await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

describe("board detection", () => {
  test("the Pi 5 family (Pi 5, Pi 500, Compute Module 5) and the others", () => {
    for (const pi5 of [
      "Raspberry Pi 5 Model B Rev 1.0",
      "Raspberry Pi 500 Rev 1.0",
      "Raspberry Pi Compute Module 5 Rev 1.0",
    ]) {
      assert.equal(isPi5Model(pi5), true, pi5);
    }
    for (const other of [
      "Raspberry Pi 4 Model B Rev 1.4",
      "Raspberry Pi 3 Model B Plus Rev 1.3",
      "Raspberry Pi Zero 2 W Rev 1.0",
      "Raspberry Pi 400 Rev 1.0",
      "Raspberry Pi Compute Module 4 Rev 1.0",
    ]) {
      assert.equal(isPi5Model(other), false, other);
    }
  });

  test("reads <root>/proc/device-tree/model, NUL-terminated", async () => {
    await withModel("Raspberry Pi 5 Model B Rev 1.0\0", async (root) => {
      assert.deepEqual(await detectBoard(root), {
        model: "Raspberry Pi 5 Model B Rev 1.0",
        raspberryPi: true,
        pi5: true,
        description: "Raspberry Pi 5 Model B Rev 1.0",
      });
    });
    await withModel("Raspberry Pi Zero 2 W Rev 1.0\0", async (root) => {
      const board = await detectBoard(root);
      assert.deepEqual([board.raspberryPi, board.pi5], [true, false]);
    });
    await withModel("Xunlong Orange Pi Zero\0", async (root) => {
      const board = await detectBoard(root);
      assert.deepEqual([board.raspberryPi, board.pi5, board.description], [false, false, "Xunlong Orange Pi Zero"]);
    });
  });

  test("no device tree: not a Raspberry Pi, said so", async () => {
    await withModel(undefined, async (root) => {
      assert.deepEqual(await detectBoard(root), boardFromModel(undefined));
      assert.equal((await detectBoard(root)).description, "not a Raspberry Pi (no device-tree model)");
    });
  });
});
