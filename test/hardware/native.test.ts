/**
 * The one helper that explains a native package that will not load: a real import of a
 * package that is not there, and the errors Node and `bindings` throw for an addon never
 * built or built for another Node (their texts as they print them).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  classifyNativeLoadError,
  describeNativeLoadError,
  type NativePackage,
  nativeInstallHint,
} from "../../hardware/native.ts";

const I2C_BUS: NativePackage = {
  name: "i2c-bus",
  installHint: nativeInstallHint({ compiles: "i2c-bus", orElse: "or set HARDWARE=sim" }),
};

const ONOFF: NativePackage = {
  name: "onoff",
  addon: "epoll",
  loads: ["epoll"],
  installHint: nativeInstallHint({ compiles: "onoff's epoll addon" }),
};

/** What `import()` of a package that is not installed throws (the name keeps the package's in it). */
async function missingImportError(): Promise<unknown> {
  const specifier = "i2c-bus-not-installed-here";
  return import(specifier).then(
    () => assert.fail("the package should not exist"),
    (e: unknown) => e,
  );
}

const unbuilt = new Error(
  "Could not locate the bindings file. Tried:\n → /home/pi/seroma/node_modules/i2c-bus/build/i2c.node\n" +
    " → /home/pi/seroma/node_modules/i2c-bus/build/Release/i2c.node",
);

const otherNode = Object.assign(
  new Error(
    "The module '/home/pi/seroma/node_modules/i2c-bus/build/Release/i2c.node'\n" +
      "was compiled against a different Node.js version using\n" +
      "NODE_MODULE_VERSION 115. This version of Node.js requires\n" +
      "NODE_MODULE_VERSION 127. Please try re-compiling or re-installing\n" +
      "the module (for instance, using `npm rebuild` or `npm install`).",
  ),
  { code: "ERR_DLOPEN_FAILED" },
);

describe("native packages that will not load", () => {
  test("not installed (a real import): how to install it", async () => {
    const e = await missingImportError();
    assert.deepEqual(classifyNativeLoadError(e, ["i2c-bus"]), { kind: "missing" });
    const d = describeNativeLoadError(I2C_BUS, e);
    assert.equal(d.problem, "the i2c-bus package is not installed");
    assert.equal(
      d.message,
      "the i2c-bus package is not installed. On the Raspberry Pi run `npm install --include=optional` in the " +
        "project folder (i2c-bus compiles: `sudo apt install build-essential python3` first), or set HARDWARE=sim.",
    );
  });

  test("a package it loads at once is missing: the package counts as not installed", () => {
    const e = Object.assign(new Error("Cannot find module 'epoll'\nRequire stack:\n- .../onoff/onoff.js"), {
      code: "MODULE_NOT_FOUND",
    });
    assert.match(describeNativeLoadError(ONOFF, e).message, /^the onoff package is not installed\. /);
  });

  test("a module missing inside the package (its build output) is not 'not installed'", () => {
    const e = Object.assign(new Error("Cannot find module '../build/Release/i2c'"), { code: "MODULE_NOT_FOUND" });
    assert.deepEqual(classifyNativeLoadError(e, ["i2c-bus"]), { kind: "broken" });
    assert.match(describeNativeLoadError(I2C_BUS, e).message, /could not be loaded .*Run `npm rebuild i2c-bus`\./);
  });

  test("the addon was never built: npm rebuild, then the install hint", () => {
    assert.deepEqual(classifyNativeLoadError(unbuilt, ["i2c-bus"]), { kind: "unbuilt" });
    const d = describeNativeLoadError(I2C_BUS, unbuilt);
    assert.match(d.problem, /^i2c-bus could not be loaded \(Could not locate the bindings file\. Tried: → \/home/);
    assert.match(d.problem, /; its native addon was never built$/);
    assert.match(d.fix, /^Run `npm rebuild i2c-bus`\. On the Raspberry Pi run `npm install --include=optional`/);
  });

  test("built for another Node.js: which versions, and the rebuild of the package that builds the addon", () => {
    assert.deepEqual(classifyNativeLoadError(otherNode, ["onoff"]), { kind: "other-node", built: "115", wants: "127" });
    const d = describeNativeLoadError(ONOFF, otherNode);
    assert.match(d.problem, /^onoff could not be loaded \(The module '.*' was compiled against a different Node\.js/);
    assert.match(d.problem, /; epoll's native addon was built for another Node\.js version$/);
    assert.match(d.fix, /^Run `npm rebuild epoll`\./);
    assert.doesNotMatch(d.message, /\n/, "one line for the log");
  });

  test("anything else (a plain string thrown, no code): may be missing or built for another Node", () => {
    const d = describeNativeLoadError(I2C_BUS, "dlopen failed");
    assert.equal(d.failure.kind, "broken");
    assert.match(
      d.message,
      /^i2c-bus could not be loaded \(dlopen failed\); its native addon may be missing or built for another Node\.js version\. Run `npm rebuild i2c-bus`/,
    );
  });

  test("the install hint: the note inside the brackets, the other way out after them", () => {
    assert.equal(
      nativeInstallHint({ compiles: "it", note: "on a Pi 5 use X", orElse: "or set HARDWARE=sim" }),
      "On the Raspberry Pi run `npm install --include=optional` in the project folder (it compiles: " +
        "`sudo apt install build-essential python3` first; on a Pi 5 use X), or set HARDWARE=sim.",
    );
    assert.match(nativeInstallHint({ compiles: "spi-device" }), /first\)\.$/);
  });
});
