/**
 * The RST line through libgpiod's command-line tools, against fake `gpioset` / `gpiofind`
 * programs first on PATH that answer like v1 (Bookworm) or v2 (Trixie) and log their
 * arguments.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createGpiosetResetLine, gpiodMajorVersion } from "../../../hardware/cards/reset-line.ts";

/** A directory of fake programs that log "name args..." lines to `log`. */
function fakeTools(programs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "seroma-gpiod-"));
  const log = join(dir, "calls.log");
  writeFileSync(log, "");
  for (const [name, body] of Object.entries(programs)) {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`);
    chmodSync(path, 0o755);
  }
  return {
    env: { PATH: `${dir}:/usr/bin:/bin` },
    calls: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l !== "" && !l.endsWith("--version")),
    versionChecks: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.endsWith("--version")).length,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const V1 = `if [ "$1" = "--version" ]; then echo "gpioset (libgpiod) v1.6.3"; echo "Copyright (C) 2017-2018 Bartosz Golaszewski"; fi`;
const V2 = `if [ "$1" = "--version" ]; then echo "gpioset (libgpiod) v2.1.3"; echo "Copyright (C) 2017-2023 Bartosz Golaszewski"; fi`;

describe("gpiodMajorVersion", () => {
  test("reads v1 and v2 from gpioset --version", () => {
    assert.equal(gpiodMajorVersion("gpioset (libgpiod) v1.6.3\nCopyright"), 1);
    assert.equal(gpiodMajorVersion("gpioset (libgpiod) v2.1.3"), 2);
    assert.equal(gpiodMajorVersion("gpioset v2.3.2 (libgpiod v2.2.1)"), 2);
    assert.equal(gpiodMajorVersion("usage: gpioset"), undefined);
  });
});

describe("createGpiosetResetLine", () => {
  test("libgpiod v2: one gpioset, the line by name, low for 50 ms then toggled high and exit", async () => {
    const tools = fakeTools({ gpioset: V2 });
    try {
      const line = createGpiosetResetLine({ bcm: 25, env: tools.env });
      assert.equal(line.description, "GPIO 25 via gpioset");
      await line.pulse();
      await line.pulse();
      assert.deepEqual(tools.calls(), ["gpioset --toggle 50ms,0 GPIO25=0", "gpioset --toggle 50ms,0 GPIO25=0"]);
      assert.equal(tools.versionChecks(), 1, "the version is found out once");
    } finally {
      tools.cleanup();
    }
  });

  test("libgpiod v1: gpiofind for the chip and offset, low for 50 ms (time mode), then high", async () => {
    const tools = fakeTools({ gpioset: V1, gpiofind: `echo "gpiochip4 25"` });
    try {
      await createGpiosetResetLine({ bcm: 25, lowMs: 20, env: tools.env }).pulse();
      assert.deepEqual(tools.calls(), [
        "gpiofind GPIO25",
        "gpioset --mode=time --usec=20000 gpiochip4 25=0",
        "gpioset gpiochip4 25=1",
      ]);
    } finally {
      tools.cleanup();
    }
  });

  test("gpioset not installed: a clear error, and it is looked for again next time", async () => {
    const tools = fakeTools({});
    try {
      const line = createGpiosetResetLine({ bcm: 17, env: tools.env });
      await assert.rejects(
        line.pulse(),
        /^Error: hard reset on GPIO 17: gpioset is not installed; install libgpiod's tools \(`sudo apt install gpiod`\)/,
      );
      writeFileSync(join(tools.env.PATH.split(":")[0] ?? "", "gpioset"), `#!/bin/sh\n${V2}\n`);
      chmodSync(join(tools.env.PATH.split(":")[0] ?? "", "gpioset"), 0o755);
      await line.pulse();
    } finally {
      tools.cleanup();
    }
  });

  test("gpioset failing (the line is busy, no permission): its stderr in the error", async () => {
    const tools = fakeTools({
      gpioset: `${V2}\nif [ "$1" != "--version" ]; then echo "gpioset: unable to request lines on chip '/dev/gpiochip0': Device or resource busy" >&2; exit 1; fi`,
    });
    try {
      await assert.rejects(
        createGpiosetResetLine({ bcm: 25, env: tools.env }).pulse(),
        /hard reset on GPIO 25: gpioset: unable to request lines .*Device or resource busy; install libgpiod's tools/,
      );
    } finally {
      tools.cleanup();
    }
  });

  test("v1 without a line of that name: gpiofind fails, said so", async () => {
    const tools = fakeTools({ gpioset: V1, gpiofind: "exit 1" });
    try {
      await assert.rejects(
        createGpiosetResetLine({ bcm: 25, env: tools.env }).pulse(),
        /hard reset on GPIO 25: Command failed: gpiofind GPIO25/,
      );
    } finally {
      tools.cleanup();
    }
  });

  test("bad pins are RangeErrors", () => {
    assert.throws(() => createGpiosetResetLine({ bcm: 28 }), RangeError);
    assert.throws(() => createGpiosetResetLine({ bcm: 25, lowMs: 0 }), RangeError);
  });
});
