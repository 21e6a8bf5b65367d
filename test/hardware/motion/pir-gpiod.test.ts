/**
 * The "pir-gpiod" driver against fake libgpiod tools on PATH (test/support/fake-gpiod.ts): both tool
 * generations and their syntaxes, the chip found by label on a Pi 3, 4 and 5, edges and
 * the cooldown, gpiomon exiting, crashing and being restarted, stop() leaving no process
 * behind, and the tools missing. Time is a ManualClock; timers are fired by hand.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  gpiogetArgs,
  gpiomonArgs,
  parseGpiodetect,
  parseGpiodVersion,
  parseGpioget,
  parseGpiomonLine,
  pickHeaderChip,
} from "../../../hardware/motion/gpiod-tools.ts";
import { createGpiodPirMotionSensor, type GpiodPirOptions, probePirGpiod } from "../../../hardware/motion/pir-gpiod.ts";
import {
  type BoardConfig,
  EventLog,
  FakeGpiod,
  HandTimers,
  PI3_CHIPS,
  PI4_CHIPS,
  PI5_CHIPS,
  PI5_EARLY_CHIPS,
  processExists,
} from "../../support/fake-gpiod.ts";
import { ManualClock } from "../../support/fakes.ts";

const V1 = "1.6.3";
const V2 = "2.2.1";
/** Distinct delays, so the test can tell the timers apart. */
const RESTART = [100, 200, 400] as const;
const STABLE = 5000;
const GRACE = 3000;

let emptyPath: string;
const fakes: FakeGpiod[] = [];

before(() => {
  emptyPath = mkdtempSync(join(tmpdir(), "seroma-nopath-"));
});

after(async () => {
  for (const f of fakes) await f.close();
  rmSync(emptyPath, { recursive: true, force: true });
});

async function board(config: BoardConfig): Promise<FakeGpiod> {
  const fake = await FakeGpiod.create(config);
  fakes.push(fake);
  return fake;
}

async function setup(config: BoardConfig, extra: Partial<GpiodPirOptions> = {}) {
  const fake = await board(config);
  const clock = new ManualClock();
  const timers = new HandTimers();
  const log = new EventLog();
  const sensor = createGpiodPirMotionSensor({
    pin: 17,
    env: fake.env(),
    clock,
    timers,
    restartDelaysMs: RESTART,
    stableMs: STABLE,
    stopGraceMs: GRACE,
    ...extra,
  });
  return { fake, clock, timers, log, sensor };
}

const toolCalls = (fake: FakeGpiod) => fake.calls().map((c) => [c.tool, ...c.args].join(" "));

describe("libgpiod tools' output and syntax", { concurrency: false, timeout: 60_000 }, () => {
  test("versions from --version, both generations", () => {
    assert.deepEqual(parseGpiodVersion("gpiomon (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski\n"), {
      major: 1,
      minor: 6,
      patch: 3,
      text: "v1.6.3",
    });
    assert.equal(parseGpiodVersion("gpiomon (libgpiod) v2.2.1\n")?.major, 2);
    assert.equal(parseGpiodVersion("gpiomon (libgpiod) v2.1\n")?.patch, 0);
    assert.equal(parseGpiodVersion("gpiomon: unrecognized option '--version'"), undefined);
    // Newer tools name their own version first, then the library's: the tool's syntax is what counts.
    assert.deepEqual(
      parseGpiodVersion("gpiomon v2.3.2 (libgpiod v2.2.1)\nCopyright (C) 2017-2023 Bartosz Golaszewski\n"),
      {
        major: 2,
        minor: 3,
        patch: 2,
        text: "v2.3.2",
      },
    );
  });

  test("gpiodetect's lines, and the chips it may not open (v1 on stdout, v2 on stderr)", () => {
    assert.deepEqual(
      parseGpiodetect("gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n"),
      {
        chips: [
          { name: "gpiochip0", label: "pinctrl-bcm2711", lines: 58 },
          { name: "gpiochip1", label: "raspberrypi-exp-gpio", lines: 8 },
        ],
        denied: [],
      },
    );
    assert.deepEqual(parseGpiodetect("gpiochip0 Permission denied\n").denied, ["gpiochip0"]);
    assert.deepEqual(
      parseGpiodetect("", "gpiodetect: unable to open chip '/dev/gpiochip4': Permission denied\n").denied,
      ["gpiochip4"],
    );
  });

  test("the header's chip by label on a Pi 3, 4 and 5 (early and newer kernels); none elsewhere", () => {
    assert.equal(pickHeaderChip(PI3_CHIPS)?.name, "gpiochip0");
    assert.equal(pickHeaderChip(PI4_CHIPS)?.name, "gpiochip0");
    assert.equal(pickHeaderChip(PI5_EARLY_CHIPS)?.name, "gpiochip4");
    assert.equal(pickHeaderChip(PI5_CHIPS)?.name, "gpiochip0");
    assert.equal(pickHeaderChip([{ name: "gpiochip0", label: "gpio-mockup-A", lines: 8 }]), undefined);
  });

  test("gpiomon's edges in v1's and v2's default formats, v2's variants and --format forms", () => {
    const rising = { kind: "edge", edge: "rising" };
    const falling = { kind: "edge", edge: "falling" };
    // v1 (libgpiod 1.6)
    assert.deepEqual(parseGpiomonLine("event:  RISING EDGE offset: 17 timestamp: [    1234.567890123]"), rising);
    assert.deepEqual(parseGpiomonLine("event: FALLING EDGE offset: 17 timestamp: [1700000000.000000001]"), falling);
    // v2: unnamed line, named line with --chip, by name, --unquoted, --utc
    assert.deepEqual(parseGpiomonLine("1234.567890123\trising\tgpiochip0 17"), rising);
    assert.deepEqual(parseGpiomonLine('1234.567890123\tfalling\tgpiochip0 17 "GPIO17"'), falling);
    assert.deepEqual(parseGpiomonLine('1234.567890123\trising\t"GPIO17"'), rising);
    assert.deepEqual(parseGpiomonLine("1234.567890123\trising\tGPIO17"), rising);
    assert.deepEqual(parseGpiomonLine('2026-11-23T10:00:00.123456789Z\trising\t"GPIO17"'), rising);
    // v2 --format with %E
    assert.deepEqual(parseGpiomonLine("rising 17 gpiochip0"), rising);
    assert.deepEqual(parseGpiomonLine("1234.5 GPIO17 falling"), falling);
    // a line named like an edge cannot fool it: v2 prints the edge first and quotes names
    assert.deepEqual(parseGpiomonLine('1234.5\tfalling\tgpiochip0 17 "rising"'), falling);
    // v2's --banner; anything else is not an event
    assert.deepEqual(parseGpiomonLine("Monitoring line '17'..."), { kind: "banner" });
    assert.deepEqual(parseGpiomonLine("Monitoring line GPIO17..."), { kind: "banner" });
    assert.equal(parseGpiomonLine(""), undefined);
    assert.equal(parseGpiomonLine("gpiomon: error waiting for events: Interrupted"), undefined);
  });

  test("arguments in each generation's syntax; gpioget's value in both", () => {
    const v1 = parseGpiodVersion("gpiomon (libgpiod) v1.6.3") as NonNullable<ReturnType<typeof parseGpiodVersion>>;
    const v2 = parseGpiodVersion("gpiomon (libgpiod) v2.2.1") as NonNullable<ReturnType<typeof parseGpiodVersion>>;
    assert.deepEqual(gpiomonArgs(v1, "gpiochip0", 17), ["--line-buffered", "gpiochip0", "17"]);
    assert.deepEqual(gpiomonArgs(v2, "gpiochip4", 17), ["--banner", "--chip", "gpiochip4", "--edges", "both", "17"]);
    assert.deepEqual(gpiogetArgs(v1, "gpiochip0", 17), ["gpiochip0", "17"]);
    assert.deepEqual(gpiogetArgs(v2, "gpiochip0", 17), ["--numeric", "--chip", "gpiochip0", "17"]);
    assert.equal(parseGpioget("1\n"), 1);
    assert.equal(parseGpioget("0\n"), 0);
    assert.equal(parseGpioget('"17"=active\n'), 1);
    assert.equal(parseGpioget("huh"), undefined);
  });
});

describe("createGpiodPirMotionSensor: Bookworm (libgpiod 1.6) and Trixie (libgpiod 2)", {
  concurrency: false,
  timeout: 60_000,
}, () => {
  test("v1 on a Pi 4: version, chip by label, the line read, then gpiomon in v1 syntax; a rising edge is motion", async () => {
    const t = await setup({ version: V1, chips: PI4_CHIPS });
    assert.equal(t.sensor.driver, "pir-gpiod");
    assert.deepEqual(toolCalls(t.fake), [], "nothing runs before start()");
    await t.sensor.start(t.log.listener);
    const monitor = await t.fake.monitor(1);
    assert.deepEqual(toolCalls(t.fake), [
      "gpiomon --version",
      "gpiodetect",
      "gpioget gpiochip0 17",
      "gpiomon --line-buffered gpiochip0 17",
    ]);
    assert.equal(t.sensor.monitorPid, monitor.pid);
    assert.equal(t.sensor.setup?.version.text, "v1.6.3");
    assert.equal(t.sensor.setup?.chipSource, "gpiochip0 [pinctrl-bcm2711] found by its label");

    t.clock.advance(5000);
    const at = t.clock.now().getTime();
    monitor.edge("rising");
    await t.log.until(1);
    assert.deepEqual(t.log.events, [{ type: "motion", at, source: "pir" }]);
    await t.sensor.stop();
  });

  test("v2 on a Pi 5 (RP1 is gpiochip0): --chip, --edges both, --banner; its tab-separated lines", async () => {
    const t = await setup({ version: V2, chips: PI5_CHIPS }, { cooldownMs: 0 });
    await t.sensor.start(t.log.listener);
    const monitor = await t.fake.monitor(1);
    assert.deepEqual(toolCalls(t.fake), [
      "gpiomon --version",
      "gpiodetect",
      "gpioget --numeric --chip gpiochip0 17",
      "gpiomon --banner --chip gpiochip0 --edges both 17",
    ]);
    monitor.edge("rising");
    monitor.edge("falling");
    monitor.edge("rising");
    await t.log.until(2);
    assert.deepEqual(t.log.types(), ["motion", "motion"], "falling edges are never events");
    await t.sensor.stop();
  });

  test("tools that print their own version and the library's (gpiomon v2.3.2 (libgpiod v2.2.1)) start like v2", async () => {
    const t = await setup({ version: "2.3.2", libraryVersion: "2.2.1", chips: PI5_CHIPS }, { cooldownMs: 0 });
    await t.sensor.start(t.log.listener);
    const monitor = await t.fake.monitor(1);
    assert.equal(toolCalls(t.fake).at(-1), "gpiomon --banner --chip gpiochip0 --edges both 17");
    monitor.edge("rising");
    await t.log.until(1);
    assert.deepEqual(t.log.types(), ["motion"]);
    await t.sensor.stop();
  });

  test("a Pi 5 on its first kernels: the RP1 chip is gpiochip4, found by label", async () => {
    const t = await setup({ version: V2, chips: PI5_EARLY_CHIPS });
    await t.sensor.start(t.log.listener);
    const monitor = await t.fake.monitor(1);
    assert.deepEqual(monitor.args, ["--banner", "--chip", "gpiochip4", "--edges", "both", "17"]);
    monitor.edge("rising");
    await t.log.until(1);
    await t.sensor.stop();
  });

  test("the probe for `doctor`: tools and version, chip, the line's level; never a rejection", async () => {
    const fake = await board({ version: V1, chips: PI3_CHIPS, level: 1 });
    assert.deepEqual(await probePirGpiod(17, { env: fake.env() }), {
      available: true,
      version: "v1.6.3",
      chip: "gpiochip0",
      chipLabel: "pinctrl-bcm2835",
      line: 17,
      level: 1,
    });
    fake.board({ version: V2, chips: PI5_EARLY_CHIPS, level: 0 });
    const v2 = await probePirGpiod(4, { env: fake.env() });
    assert.ok(v2.available);
    assert.deepEqual([v2.version, v2.chip, v2.chipLabel, v2.level], ["v2.2.1", "gpiochip4", "pinctrl-rp1", 0]);
    assert.equal(fake.monitors.length, 0, "the probe does not start gpiomon");

    const bad = await probePirGpiod(28, { env: fake.env() });
    assert.match(bad.available ? "" : bad.reason, /pin must be a BCM GPIO number/);
  });

  test("a configured chip wins over the label; a chip that does not exist is named with the ones that do", async () => {
    const fake = await board({ version: V2, chips: PI5_EARLY_CHIPS });
    const probe = await probePirGpiod(17, { env: fake.env(), chip: "gpiochip0" });
    assert.ok(probe.available);
    assert.equal(probe.chip, "gpiochip0");
    const missing = await probePirGpiod(17, { env: fake.env(), chip: "gpiochip9" });
    assert.match(
      missing.available ? "" : missing.reason,
      /^PIR on GPIO 17: there is no GPIO chip gpiochip9; gpiodetect lists gpiochip0 \[gpio-brcmstb@107d508500\], .*gpiochip4 \[pinctrl-rp1\]\. Set MOTION_PIR_CHIP/,
    );
  });

  test("not a Raspberry Pi: no header chip among the chips -> rejects, listing them", async () => {
    const t = await setup({ version: V2, chips: [{ name: "gpiochip0", label: "gpio-mockup-A", lines: 32 }] });
    await assert.rejects(
      t.sensor.start(t.log.listener),
      /^Error: PIR on GPIO 17: no Raspberry Pi GPIO chip \(pinctrl-rp1, pinctrl-bcm2711, pinctrl-bcm2835\) among gpiochip0 \[gpio-mockup-A\]: not a Raspberry Pi\? Set MOTION_PIR_CHIP/,
    );
    assert.equal(t.fake.monitors.length, 0);
  });
});

describe("createGpiodPirMotionSensor: edges and the cooldown", { concurrency: false, timeout: 60_000 }, () => {
  test("a burst of edges is one event; the next one after the cooldown is another", async () => {
    // gpiomon's lines are read asynchronously, so the clock moves 1 s at every reading (one
    // per rising edge) instead of between the test's steps
    const clock = new ManualClock();
    const stepping = {
      now: () => {
        const at = clock.now();
        clock.advance(1000);
        return at;
      },
    };
    const t = await setup({ version: V2, chips: PI4_CHIPS }, { cooldownMs: 30_000, clock: stepping });
    await t.sensor.start(t.log.listener);
    const monitor = await t.fake.monitor(1);
    for (let i = 0; i < 31; i++) {
      monitor.edge("rising"); // at 0 s, 1 s, ... 30 s
      monitor.edge("falling");
    }
    await t.log.until(2);
    assert.deepEqual(t.log.types(), ["motion", "motion"], "29 rising edges within the cooldown were suppressed");
    assert.equal((t.log.events[1]?.at ?? 0) - (t.log.events[0]?.at ?? 0), 30_000);
    await t.sensor.stop();
  });

  test("a line already high at start() is no event; the next rising edge is", async () => {
    const t = await setup({ version: V1, chips: PI4_CHIPS, level: 1 }, { cooldownMs: 0 });
    await t.sensor.start(t.log.listener);
    const monitor = await t.fake.monitor(1);
    monitor.edge("falling");
    monitor.edge("rising");
    await t.log.until(1);
    assert.deepEqual(t.log.types(), ["motion"]);
    await t.sensor.stop();
  });

  test("a listener that throws does not stop the sensor", async () => {
    const t = await setup({ version: V2, chips: PI4_CHIPS }, { cooldownMs: 0 });
    let calls = 0;
    let reached!: () => void;
    const second = new Promise<void>((resolve) => {
      reached = resolve;
    });
    await t.sensor.start(() => {
      calls++;
      if (calls === 2) reached();
      throw new Error("listener broke");
    });
    const monitor = await t.fake.monitor(1);
    monitor.edge("rising");
    monitor.edge("rising");
    await second;
    assert.equal(calls, 2);
    await t.sensor.stop();
  });
});

describe("createGpiodPirMotionSensor: gpiomon exiting", { concurrency: false, timeout: 60_000 }, () => {
  test("gpiomon killed after it ran: restarted after the first delay, no dead event, edges count again", async () => {
    const t = await setup({ version: V2, chips: PI4_CHIPS }, { cooldownMs: 0 });
    await t.sensor.start(t.log.listener);
    const first = await t.fake.monitor(1);
    first.edge("rising"); // it runs: the banner and an edge were read
    await t.log.until(1);
    first.kill("SIGKILL");
    await t.timers.scheduled(RESTART[0]);
    assert.equal(t.sensor.monitorPid, undefined, "none runs while waiting to restart");
    t.timers.fire(RESTART[0]);
    const second = await t.fake.monitor(2);
    assert.notEqual(second.pid, first.pid);
    assert.equal(t.sensor.monitorPid, second.pid);
    second.edge("rising");
    await t.log.until(2);
    assert.deepEqual(t.log.types(), ["motion", "motion"]);
    await t.sensor.stop();
  });

  test("exiting again and again before it runs: dead once (its stderr and a hint), a bounded backoff, then alive", async () => {
    const busy = "unable to request GPIO lines for events: Device or resource busy";
    const t = await setup({ version: V1, chips: PI4_CHIPS, gpiomonFails: busy }, { cooldownMs: 0 });
    await t.sensor.start(t.log.listener);
    const delays: number[] = [];
    for (const ms of [RESTART[0], RESTART[1], RESTART[2], RESTART[2]]) {
      await t.timers.scheduled(ms);
      delays.push(ms);
      t.timers.fire(ms);
    }
    await t.timers.scheduled(RESTART[2]);
    assert.deepEqual(delays, [100, 200, 400, 400], "the backoff grows, then stays at its last step");
    assert.deepEqual(t.log.types(), ["dead"], "dead once, after the third quick exit");
    const [dead] = t.log.events;
    assert.ok(dead?.type === "dead");
    assert.match(
      dead.reason,
      /^PIR on GPIO 17: gpiomon keeps exiting \(exit code 1: gpiomon: unable to request GPIO lines for events: Device or resource busy\); restarting it with a backoff\. Another program holds the line: `gpioinfo` shows its consumer/,
    );

    // the line is free again: the next gpiomon runs (v1 has no banner: it counts as running
    // once it has lived `stableMs`, or printed an edge)
    t.fake.board({ version: V1, chips: PI4_CHIPS });
    t.timers.fire(RESTART[2]);
    await t.fake.monitor(1);
    await t.timers.scheduled(STABLE);
    t.timers.fire(STABLE);
    assert.deepEqual(t.log.types(), ["dead", "alive"]);
    (await t.fake.monitor(1)).edge("rising");
    await t.log.until(3);
    assert.deepEqual(t.log.types(), ["dead", "alive", "motion"]);
    await t.sensor.stop();
  });

  test("an edge from a restarted gpiomon makes it alive at once", async () => {
    const t = await setup({
      version: V1,
      chips: PI4_CHIPS,
      gpiomonFails: "error waiting for events: Bad file descriptor",
    });
    await t.sensor.start(t.log.listener);
    for (const ms of RESTART) {
      await t.timers.scheduled(ms);
      if (ms !== RESTART[2]) t.timers.fire(ms);
    }
    assert.deepEqual(t.log.types(), ["dead"]);
    t.fake.board({ version: V1, chips: PI4_CHIPS });
    t.timers.fire(RESTART[2]);
    (await t.fake.monitor(1)).edge("rising");
    await t.log.until(3);
    assert.deepEqual(t.log.types(), ["dead", "alive", "motion"]);
    await t.sensor.stop();
  });
});

describe("createGpiodPirMotionSensor: stopping", { concurrency: false, timeout: 60_000 }, () => {
  test("stop() kills gpiomon's process group: neither it nor a helper holding its output is left", async () => {
    const t = await setup({ version: V2, chips: PI4_CHIPS, spawnChild: true }, { cooldownMs: 0 });
    await t.sensor.start(t.log.listener);
    const monitor = await t.fake.monitor(1);
    assert.ok(monitor.childPid !== undefined);
    assert.ok(processExists(monitor.pid) && processExists(monitor.childPid), "both run before stop()");
    await t.sensor.stop();
    assert.equal(processExists(monitor.pid), false, "gpiomon is gone");
    assert.equal(processExists(monitor.childPid), false, "its process group is gone");
    assert.equal(t.timers.has(RESTART[0]), false, "an exit on stop() is not restarted");
    assert.equal(t.sensor.monitorPid, undefined);
    await t.sensor.stop(); // safe twice
  });

  test("v1 (which exits 0 on SIGTERM): stopped alike, and start() again works", async () => {
    const t = await setup({ version: V1, chips: PI4_CHIPS }, { cooldownMs: 0 });
    await t.sensor.start(t.log.listener);
    await assert.rejects(t.sensor.start(t.log.listener), /already started/);
    const first = await t.fake.monitor(1);
    await t.sensor.stop();
    assert.equal(processExists(first.pid), false);
    await t.sensor.start(t.log.listener);
    const second = await t.fake.monitor(2);
    second.edge("rising");
    await t.log.until(1);
    await t.sensor.stop();
    assert.equal(processExists(second.pid), false);
    assert.equal(t.fake.monitors.length, 2);
  });

  test("a gpiomon that ignores SIGTERM is killed after the grace period", async () => {
    const t = await setup({ version: V2, chips: PI4_CHIPS, spawnChild: true }, { cooldownMs: 0 });
    await t.sensor.start(t.log.listener);
    const monitor = await t.fake.monitor(1);
    // a stopped process does not act on SIGTERM (and keeps its output open): a hung gpiomon
    process.kill(monitor.pid, "SIGSTOP");
    const stopping = t.sensor.stop();
    await t.timers.scheduled(GRACE);
    t.timers.fire(GRACE);
    await stopping;
    assert.equal(processExists(monitor.pid), false);
  });
});

describe("createGpiodPirMotionSensor: unavailable", { concurrency: false, timeout: 60_000 }, () => {
  test("tools missing -> start() rejects with `sudo apt install gpiod`; the probe says the same", async () => {
    const sensor = createGpiodPirMotionSensor({ pin: 17, env: { PATH: emptyPath } });
    await assert.rejects(
      sensor.start(() => {}),
      /^Error: PIR on GPIO 17: gpiomon was not found \(libgpiod's tools are not installed\)\. .*`sudo apt install gpiod`.*gpio group/,
    );
    await sensor.stop();
    const probe = await probePirGpiod(17, { env: { PATH: emptyPath } });
    assert.equal(probe.available, false);
    assert.match(probe.available ? "" : probe.reason, /gpiomon was not found.*sudo apt install gpiod/);
  });

  test("no permission on /dev/gpiochip* (v1 and v2 say it differently) -> the gpio group", async () => {
    for (const version of [V1, V2]) {
      const fake = await board({ version, chips: PI4_CHIPS, denied: true });
      const probe = await probePirGpiod(17, { env: fake.env() });
      assert.match(
        probe.available ? "" : probe.reason,
        /^PIR on GPIO 17: gpiodetect may not open gpiochip0, gpiochip1 \(permission denied\)\. Add this user to the gpio group/,
        version,
      );
    }
  });

  test("the line held by another program -> start() rejects with gpioget's words and a hint", async () => {
    for (const [version, said] of [
      [V1, "gpioget: error reading GPIO values: Device or resource busy"],
      [V2, "gpioget: unable to request lines on chip '/dev/gpiochip0': Device or resource busy"],
    ] as const) {
      const t = await setup({ version, chips: PI4_CHIPS, busy: true });
      await assert.rejects(t.sensor.start(t.log.listener), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(
          e.message.split(". ")[0],
          `PIR on GPIO 17: gpioget cannot read line 17 of gpiochip0 (${said})`,
          version,
        );
        assert.match(e.message, /Another program holds the line: `gpioinfo` shows its consumer/);
        return true;
      });
      assert.equal(t.fake.monitors.length, 0, "gpiomon is not started");
    }
  });

  test("bad options are RangeErrors at creation", () => {
    assert.throws(() => createGpiodPirMotionSensor({ pin: 28 }), /pin must be a BCM GPIO number/);
    assert.throws(() => createGpiodPirMotionSensor({ pin: 4.5 }), RangeError);
    assert.throws(() => createGpiodPirMotionSensor({ pin: 4, chip: "rp1" }), /chip must be "auto" or a GPIO chip/);
    assert.throws(() => createGpiodPirMotionSensor({ pin: 4, cooldownMs: -1 }), /cooldownMs/);
    assert.throws(() => createGpiodPirMotionSensor({ pin: 4, restartDelaysMs: [] }), /restartDelaysMs/);
    assert.throws(() => createGpiodPirMotionSensor({ pin: 4, deadAfter: 0 }), /deadAfter/);
  });
});
