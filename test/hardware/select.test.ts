/** The one device picker every hardware/<device>/index.ts uses, with made-up devices. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CandidateOutcome, createByName, type DeviceChoice, pickDevice } from "../../hardware/select.ts";

type Fake = { name: string };

/** A choice over made-up candidates; `tried` lists the ones probed, in order. */
function choice(outcomes: CandidateOutcome<Fake>[], extra: Partial<DeviceChoice<Fake>> = {}) {
  const tried: number[] = [];
  const seen: string[][] = [];
  const c: DeviceChoice<Fake> = {
    mode: "auto",
    device: "gadget",
    candidates: outcomes.map((outcome, i) => async (skipped) => {
      tried.push(i);
      seen.push(skipped.map((s) => s.reason));
      return outcome;
    }),
    simulator: () => ({ name: "sim" }),
    ...extra,
  };
  return { c, tried, seen };
}

describe("createByName", () => {
  const drivers = { real: (n: number) => ({ name: `real ${n}` }), sim: (n: number) => ({ name: `sim ${n}` }) };

  test("makes the driver called so, with the options", () => {
    assert.deepEqual(createByName("gadget", drivers, "real", 2), { name: "real 2" });
  });

  test("an unknown name throws, listing the valid ones; inherited names are not drivers", () => {
    assert.throws(
      () => createByName("gadget", drivers, "laser", 1),
      /^Error: unknown gadget driver "laser"; valid drivers: real, sim$/,
    );
    assert.throws(() => createByName("gadget", drivers, "toString", 1), /unknown gadget driver "toString"/);
  });
});

describe("pickDevice", () => {
  test("sim: the simulator, nothing probed, no check", async () => {
    const { c, tried } = choice([{ use: { name: "real" } }], {
      mode: "sim",
      check: () => {
        throw new RangeError("bad option");
      },
    });
    assert.deepEqual(await pickDevice(c), { device: { name: "sim" }, reason: "HARDWARE=sim" });
    assert.deepEqual(tried, []);
  });

  test("an unknown mode throws, naming the valid ones", async () => {
    const { c } = choice([], { mode: "maybe" as "auto" });
    await assert.rejects(pickDevice(c), /^Error: unknown hardware mode "maybe"; valid modes: auto, real, sim$/);
  });

  test("auto and real: check() throws before any probing", async () => {
    for (const mode of ["auto", "real"] as const) {
      const { c, tried } = choice([{ use: { name: "real" } }], {
        mode,
        check: () => {
          throw new RangeError("bad option");
        },
      });
      await assert.rejects(pickDevice(c), RangeError);
      assert.deepEqual(tried, []);
    }
  });

  test("the first usable candidate wins, with its reason (or none); later ones are not probed", async () => {
    const { c, tried, seen } = choice([
      { skip: "no overlay" },
      { use: { name: "second" }, reason: "the second, since no overlay" },
      { use: { name: "third" } },
    ]);
    assert.deepEqual(await pickDevice(c), { device: { name: "second" }, reason: "the second, since no overlay" });
    assert.deepEqual(tried, [0, 1]);
    assert.deepEqual(seen, [[], ["no overlay"]], "each candidate is told why the ones before it were skipped");

    const quiet = choice([{ use: { name: "lcd" } }]);
    const picked = await pickDevice(quiet.c);
    assert.deepEqual(picked, { device: { name: "lcd" } });
    assert.equal("reason" in picked, false);
  });

  test("auto, none usable: the simulator, every reason joined", async () => {
    const { c, tried } = choice([{ skip: "no overlay" }, { skip: "no library" }]);
    assert.deepEqual(await pickDevice(c), {
      device: { name: "sim" },
      reason: "HARDWARE=auto and no usable gadget, using the simulator: no overlay; no library",
    });
    assert.deepEqual(tried, [0, 1]);
  });

  test("real, none usable: rejects with the reasons and the last cause", async () => {
    const cause = new Error("EACCES");
    const { c } = choice([{ skip: "no overlay" }, { skip: "no access", cause }]);
    const err = await pickDevice({ ...c, mode: "real" }).catch((e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.equal(err.message, "HARDWARE=real, but the gadget cannot be used: no overlay; no access");
    assert.equal(err.cause, cause);
  });

  test("the device's own error class and wording", async () => {
    class GadgetError extends Error {}
    const { c } = choice([{ skip: "nothing" }], {
      unavailable: (message) => new GadgetError(message),
      refusal: (why) => `HARDWARE=real, but no gadget at all. ${why}`,
      fallback: (why) => `HARDWARE=auto: pretending. ${why}`,
    });
    const err = await pickDevice({ ...c, mode: "real" }).catch((e: unknown) => e);
    assert.ok(err instanceof GadgetError);
    assert.equal(err.message, "HARDWARE=real, but no gadget at all. nothing");
    assert.equal((await pickDevice(c)).reason, "HARDWARE=auto: pretending. nothing");
  });

  test("a candidate that refuses (throws) ends the choice, in real mode as it decides", async () => {
    const c: DeviceChoice<Fake> = {
      mode: "real",
      device: "gadget",
      candidates: [
        async () => {
          throw new Error("configured, so meant to work");
        },
        async () => ({ use: { name: "never" } }),
      ],
      simulator: () => ({ name: "sim" }),
    };
    await assert.rejects(pickDevice(c), /configured, so meant to work/);
  });
});
