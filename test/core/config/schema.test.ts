import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { CONFIG_VARIABLES, samplingCron } from "../../../core/config.ts";

describe("samplingCron", () => {
  test("maps intervals to node-cron expressions", () => {
    assert.equal(samplingCron(2), "*/2 * * * * *");
    assert.equal(samplingCron(30), "*/30 * * * * *");
    assert.equal(samplingCron(300), "0 */5 * * * *");
    assert.equal(samplingCron(3600), "0 0 */1 * * *");
    assert.equal(samplingCron(7), undefined);
    assert.equal(samplingCron(90), undefined);
    assert.equal(samplingCron(7 * 3600), undefined);
  });
});

describe("documentation", () => {
  test("every variable is documented in .env.example and in the README's table", () => {
    const example = readFileSync(new URL("../../../.env.example", import.meta.url), "utf8");
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    for (const v of CONFIG_VARIABLES) {
      assert.match(example, new RegExp(`^#? ?${v}=`, "m"), `${v} missing from .env.example`);
      assert.ok(readme.includes(`\`${v}\``), `${v} missing from README`);
    }
  });
});
