/**
 * The rules of the house (.dependency-cruiser.cjs, drawn in README "Architecture"): which
 * folder may import which, and no import cycles. dependency-cruiser reads every import of
 * the product's code (tests and benches are free); a forbidden arrow fails this test with
 * the rule's name and the files on both ends.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const [major] = process.versions.node.split(".").map(Number);
export const PRODUCT = [
  "main.ts",
  "app",
  "core",
  "hardware",
  "storage",
  "servers",
  "channels",
  "jobs",
  "bot",
  "local",
  "doctor",
  "scripts",
];

describe("the house", () => {
  test("every import follows the rules, and there is no cycle", {
    skip:
      (major ?? 0) < 22
        ? `dependency-cruiser needs Node 22 (this is ${process.versions.node}; CI runs Node 22)`
        : false,
  }, () => {
    const run = spawnSync(
      process.execPath,
      [
        "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs",
        "--config",
        ".dependency-cruiser.cjs",
        "--output-type",
        "err",
        ...PRODUCT,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /no dependency violations found/);
  });

  test("the rules bite: core importing the bot, a job importing a driver, and a cycle are refused", {
    skip: (major ?? 0) < 22 ? `dependency-cruiser needs Node 22 (this is ${process.versions.node})` : false,
  }, () => {
    // A small tree with the house's folder names and three forbidden arrows.
    const dir = mkdtempSync(join(tmpdir(), "seroma-house-"));
    const file = (path: string, text: string) => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    file("core/rules.ts", 'import { bot } from "../bot/index.ts";\nexport const rules = bot;\n');
    file("bot/index.ts", "export const bot = 1;\n");
    file("jobs/door-job.ts", 'import { driver } from "../hardware/cards/driver.ts";\nexport const job = driver;\n');
    file("hardware/cards/driver.ts", "export const driver = 1;\n");
    file("storage/a.ts", 'import { b } from "./b.ts";\nexport const a = b;\n');
    file("storage/b.ts", 'import { a } from "./a.ts";\nexport const b = () => a;\n');
    file("tsconfig.json", JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }));
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs"),
        "--config",
        join(ROOT, ".dependency-cruiser.cjs"),
        "--output-type",
        "err",
        "core",
        "bot",
        "jobs",
        "hardware",
        "storage",
      ],
      { cwd: dir, encoding: "utf8" },
    );
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /core-is-the-domain: core\/rules\.ts → bot\/index\.ts/);
    assert.match(run.stdout, /jobs-use-ports: jobs\/door-job\.ts → hardware\/cards\/driver\.ts/);
    assert.match(run.stdout, /no-cycles/);
  });

  test("the Telegram channel borrows bot/ui/ and nothing else of the bot; bot/ui/ imports core/ only", {
    skip: (major ?? 0) < 22 ? `dependency-cruiser needs Node 22 (this is ${process.versions.node})` : false,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), "seroma-house-"));
    const file = (path: string, text: string) => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    file("core/text.ts", "export const text = 1;\n");
    file("bot/context.ts", "export const ctx = 1;\n");
    file(
      "bot/ui/keyboards.ts",
      'import { text } from "../../core/text.ts";\nimport { ctx } from "../context.ts";\nexport const kb = [text, ctx];\n',
    );
    file("channels/telegram/group.ts", 'import { kb } from "../../bot/ui/keyboards.ts";\nexport const group = kb;\n');
    file("channels/telegram/menu.ts", 'import { ctx } from "../../bot/context.ts";\nexport const menu = ctx;\n');
    file("channels/sns/sns.ts", 'import { kb } from "../../bot/ui/keyboards.ts";\nexport const sns = kb;\n');
    file("tsconfig.json", JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }));
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs"),
        "--config",
        join(ROOT, ".dependency-cruiser.cjs"),
        "--output-type",
        "err",
        "core",
        "bot",
        "channels",
      ],
      { cwd: dir, encoding: "utf8" },
    );
    assert.notEqual(run.status, 0);
    assert.doesNotMatch(run.stdout, /channels\/telegram\/group\.ts → bot\/ui\/keyboards\.ts/);
    assert.match(run.stdout, /adapters-see-core-only: channels\/telegram\/menu\.ts → bot\/context\.ts/);
    assert.match(run.stdout, /only-the-telegram-channel-uses-bot-ui: channels\/sns\/sns\.ts → bot\/ui\/keyboards\.ts/);
    assert.match(run.stdout, /bot-ui-is-a-leaf: bot\/ui\/keyboards\.ts → bot\/context\.ts/);
  });
});
