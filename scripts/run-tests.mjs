#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner. Node 22.18+ strips the
// TypeScript types itself; an older Node (20) loads them through tsx (a dev dependency).
// Node 20's `--test` does not expand globs itself, so the files are listed here.
// Usage: node scripts/run-tests.mjs [filter...]   (filters match against the path)
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect(join(root, "test")).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ") || "test/**/*.test.ts"}`);
  process.exit(1);
}
const loader = process.features.typescript ? [] : ["--import", "tsx"];
const child = spawn(process.execPath, [...loader, "--test", "--test-reporter=spec", ...files], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
});
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
