/**
 * What the console says when it cannot listen on an address (core/startup-error.ts): one line
 * for each kind of failure, saying what is wrong, where (the address and the variables that
 * set it) and how to fix it. Through the real process: test/e2e/startup-error.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatStartupError, toAddressError } from "../../core/startup-error.ts";

describe("start-up with an address that cannot be used", () => {
  test("each kind of failure says what, where and how to fix it, in one line", () => {
    const page = {
      service: "local mode's page",
      host: "127.0.0.1",
      port: 80,
      hostVariable: "LOCAL_UI_HOST",
      portVariable: "LOCAL_UI_PORT",
    };
    const errno = (code: string) => Object.assign(new Error(`listen ${code}`), { code, syscall: "listen" });
    const line = (err: unknown) => formatStartupError(err);
    // A port below 1024 for a user without the privilege (this test may run as root: no real EACCES).
    assert.equal(
      line(toAddressError(errno("EACCES"), page)),
      "Seroma cannot start: 127.0.0.1:80 (LOCAL_UI_HOST:LOCAL_UI_PORT) may not be opened by this user (ports below 1024 need privileges); set LOCAL_UI_PORT to 1024 or above.",
    );
    assert.equal(
      line(toAddressError(errno("ENOTFOUND"), { ...page, host: "no-such-host" })),
      "Seroma cannot start: no-such-host (LOCAL_UI_HOST) is not a name this machine can resolve; set LOCAL_UI_HOST to one of its addresses, e.g. 127.0.0.1.",
    );
    // Without variables (an address the console picks itself): the service is named instead.
    const api = { service: "the built-in Bot API server", host: "127.0.0.1", port: 0 };
    assert.equal(
      line(toAddressError(errno("EADDRNOTAVAIL"), api)),
      "Seroma cannot start: 127.0.0.1 (the built-in Bot API server) is not an address of this machine; check that its loopback interface is up (ip link set lo up).",
    );
    // Anything else is not an address problem: passed through, and reported with its stack as before.
    const other = new Error("disk on fire");
    assert.equal(toAddressError(other, page), other);
    assert.match(line(other), /^Seroma failed to start: Error: disk on fire\n\s+at /);
  });
});
