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
  "web",
  "local",
  "doctor",
  "scripts",
];

const NEEDS_NODE_22 = (major ?? 0) < 22 ? `dependency-cruiser needs Node 22 (this is ${process.versions.node})` : false;

/** Runs the house's rules over `folders` of a small tree written from `files` (path -> source). */
function cruiseTree(files: Record<string, string>, folders: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "seroma-house-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
  );
  return spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs"),
      "--config",
      join(ROOT, ".dependency-cruiser.cjs"),
      "--output-type",
      "err",
      ...folders,
    ],
    { cwd: dir, encoding: "utf8" },
  );
}

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
    skip: NEEDS_NODE_22,
  }, () => {
    // A small tree with the house's folder names and three forbidden arrows.
    const run = cruiseTree(
      {
        "core/rules.ts": 'import { bot } from "../bot/index.ts";\nexport const rules = bot;\n',
        "bot/index.ts": "export const bot = 1;\n",
        "jobs/door-job.ts": 'import { driver } from "../hardware/cards/driver.ts";\nexport const job = driver;\n',
        "hardware/cards/driver.ts": "export const driver = 1;\n",
        "storage/a.ts": 'import { b } from "./b.ts";\nexport const a = b;\n',
        "storage/b.ts": 'import { a } from "./a.ts";\nexport const b = () => a;\n',
      },
      ["core", "bot", "jobs", "hardware", "storage"],
    );
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /core-is-the-domain: core\/rules\.ts → bot\/index\.ts/);
    assert.match(run.stdout, /jobs-use-ports: jobs\/door-job\.ts → hardware\/cards\/driver\.ts/);
    assert.match(run.stdout, /no-cycles/);
  });

  test("the Telegram channel borrows bot/ui/ and nothing else of the bot; bot/ui/ imports core/ only", {
    skip: NEEDS_NODE_22,
  }, () => {
    const run = cruiseTree(
      {
        "core/text.ts": "export const text = 1;\n",
        "bot/context.ts": "export const ctx = 1;\n",
        "bot/ui/keyboards.ts":
          'import { text } from "../../core/text.ts";\nimport { ctx } from "../context.ts";\nexport const kb = [text, ctx];\n',
        "channels/telegram/group.ts": 'import { kb } from "../../bot/ui/keyboards.ts";\nexport const group = kb;\n',
        "channels/telegram/menu.ts": 'import { ctx } from "../../bot/context.ts";\nexport const menu = ctx;\n',
        "channels/sns/sns.ts": 'import { kb } from "../../bot/ui/keyboards.ts";\nexport const sns = kb;\n',
      },
      ["core", "bot", "channels"],
    );
    assert.notEqual(run.status, 0);
    assert.doesNotMatch(run.stdout, /channels\/telegram\/group\.ts → bot\/ui\/keyboards\.ts/);
    assert.match(run.stdout, /adapters-see-core-only: channels\/telegram\/menu\.ts → bot\/context\.ts/);
    assert.match(run.stdout, /only-the-telegram-channel-uses-bot-ui: channels\/sns\/sns\.ts → bot\/ui\/keyboards\.ts/);
    assert.match(run.stdout, /bot-ui-is-a-leaf: bot\/ui\/keyboards\.ts → bot\/context\.ts/);
  });

  test("the dashboard (web/) uses core/ only; app/ wires it", { skip: NEEDS_NODE_22 }, () => {
    const run = cruiseTree(
      {
        "core/events.ts": "export const events = 1;\n",
        "bot/index.ts": "export const bot = 1;\n",
        "storage/sqlite.ts": "export const sqlite = 1;\n",
        "web/server.ts": 'import { events } from "../core/events.ts";\nexport const server = events;\n',
        "web/routes/room.ts":
          'import { bot } from "../../bot/index.ts";\nimport { sqlite } from "../../storage/sqlite.ts";\nexport const room = [bot, sqlite];\n',
        "app/dashboard.ts": 'import { server } from "../web/server.ts";\nexport const dashboard = server;\n',
        "bot/web.ts": 'import { server } from "../web/server.ts";\nexport const web = server;\n',
      },
      ["core", "bot", "storage", "web", "app"],
    );
    assert.notEqual(run.status, 0);
    assert.doesNotMatch(run.stdout, /app\/dashboard\.ts → web\/server\.ts/);
    assert.doesNotMatch(run.stdout, /web\/server\.ts → core\/events\.ts/);
    assert.match(run.stdout, /web-uses-ports: web\/routes\/room\.ts → bot\/index\.ts/);
    assert.match(run.stdout, /web-uses-ports: web\/routes\/room\.ts → storage\/sqlite\.ts/);
    assert.match(run.stdout, /bot-uses-ports: bot\/web\.ts → web\/server\.ts/);
  });
});
