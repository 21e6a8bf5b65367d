import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadConfig } from "../../../core/config.ts";

describe("loadConfig", () => {
  test("reads .env, with the real environment taking precedence", () => {
    const dir = mkdtempSync(join(tmpdir(), "seroma-env-"));
    const file = join(dir, ".env");
    writeFileSync(file, "ROOM_ID=from-file\nHARDWARE=sim\n# comment\nTEMP_RANGE=17..25\n");
    const r = loadConfig({ ENV_FILE: file, HARDWARE: "real" });
    assert.ok(r.ok);
    assert.equal(r.config.roomId, "from-file");
    assert.equal(r.config.hardware, "real");
    assert.deepEqual(r.config.thresholds.temperatureC.warn, { min: 17, max: 25 });
  });

  test("a named ENV_FILE that does not exist is an error", () => {
    const r = loadConfig({ ENV_FILE: "/nonexistent/seroma.env" });
    assert.ok(!r.ok);
    assert.match(r.errors[0] ?? "", /ENV_FILE/);
  });
});
