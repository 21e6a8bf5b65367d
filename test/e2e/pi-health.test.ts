/**
 * The Pi's own health and its devices, end to end (the room's wiring, the bot on the local
 * Bot API server): an unsynchronised clock, under-voltage and throttling are alerts in the
 * group; a door decision made on an unsynchronised clock says so; on a Raspberry Pi a
 * device that fell back to the simulator is an alert, resolved when the device is found.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { decodeThrottled } from "../../hardware/system/pi-state.ts";
import type { SystemHealthReaders } from "../../jobs/system-health-job.ts";
import { ADMIN, type ConsoleHarness, STAFF_GROUP, startConsoleHarness } from "../support/console-harness.ts";

const group = (h: ConsoleHarness) => h.api.messages(STAFF_GROUP.id).filter((m) => m.from_bot);
const waitGroup = (h: ConsoleHarness, n: number) => h.api.waitFor(() => (group(h).length >= n ? group(h) : undefined));

/** A Pi whose state the test sets. */
function fakePi(): SystemHealthReaders & { synced: boolean; bits: number } {
  const pi = {
    synced: true,
    bits: 0,
    clockSynchronised: async () => ({ ok: true as const, value: pi.synced }),
    throttled: async () => ({ ok: true as const, value: decodeThrottled(pi.bits) }),
  };
  return pi;
}

describe("the Pi's health in the group", () => {
  test("clock not synchronised: an alert, and a breach decided meanwhile says so; synchronised: recovered", async () => {
    const pi = fakePi();
    pi.synced = false;
    const h = await startConsoleHarness({ systemHealth: pi });
    try {
      const [alert] = await waitGroup(h, 1);
      assert.match(alert?.text ?? "", /WARNING/);
      assert.match(alert?.text ?? "", /clock is not synchronised/);
      // An off-hours tap while the clock is unsynchronised.
      await h.storage.staff.add({
        cardUid: "11223344",
        name: "Grace",
        role: "staff",
        active: true,
        createdBy: ADMIN.id,
        createdAt: 0,
      });
      h.clock.set(new Date("2026-11-23T23:30:00Z"));
      h.reader.tap("11223344");
      await h.door.idle();
      await h.alerts.engine.idle();
      const msgs = await waitGroup(h, 2);
      const breach = msgs[1];
      assert.match(breach?.text ?? breach?.caption ?? "", /Entry outside office hours: Grace/);
      assert.match(breach?.text ?? breach?.caption ?? "", /clock was not synchronised/);
      pi.synced = true;
      await h.systemHealth.runNow();
      await h.alerts.engine.idle();
      const after = await waitGroup(h, 3);
      assert.match(after[2]?.text ?? "", /Recovered/);
      assert.match(after[2]?.text ?? "", /clock is synchronised again/);
    } finally {
      await h.stop();
    }
  });

  test("under-voltage now is critical; a dip seen since the last look is reported once; throttling is a warning", async () => {
    const pi = fakePi();
    const h = await startConsoleHarness({ systemHealth: pi });
    try {
      pi.bits = 0x50005; // under-voltage and throttled now, both also "occurred"
      await h.systemHealth.runNow();
      await h.alerts.engine.idle();
      const msgs = await waitGroup(h, 2);
      const texts = msgs.map((m) => m.text ?? "");
      assert.ok(
        texts.some((t) => /CRITICAL/.test(t) && /under-voltage/.test(t)),
        texts.join("\n---\n"),
      );
      assert.ok(texts.some((t) => /WARNING/.test(t) && /slowed down right now: it is throttled/.test(t)));
      pi.bits = 0x50000; // gone now, "has occurred" stays until reboot
      await h.systemHealth.runNow();
      await h.alerts.engine.idle();
      await waitGroup(h, 4);
      pi.bits = 0x0;
      await h.systemHealth.runNow();
      pi.bits = 0x10000; // a short dip after that
      await h.systemHealth.runNow();
      await h.alerts.engine.idle();
      const all = await waitGroup(h, 5);
      assert.equal(all.filter((m) => /dipped too low/.test(m.text ?? "")).length, 1, "the dip, once");
      assert.equal(all.filter((m) => /Recovered/.test(m.text ?? "")).length, 2, "voltage and speed back to normal");
    } finally {
      await h.stop();
    }
  });

  test("on a Raspberry Pi a simulated device is an alert; found again after a restart, it is resolved", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "seroma-devices-"));
    const devices = (camera: string) => ({
      raspberryPi: true,
      mode: "auto" as const,
      devices: [
        { device: "climate" as const, driver: "dht22-iio" },
        { device: "cards" as const, driver: "mfrc522" },
        { device: "display" as const, driver: "hd44780" },
        {
          device: "camera" as const,
          driver: camera,
          reason: camera === "sim" ? "rpicam-hello lists no camera" : undefined,
        },
        { device: "motion" as const, driver: "pir-gpiod" },
      ],
    });
    const first = await startConsoleHarness({ dataDir, deviceReport: devices("sim") });
    try {
      const [alert] = await waitGroup(first, 1);
      assert.match(
        alert?.text ?? "",
        /The camera was not found on this Pi, so it is simulated \(sim\): rpicam-hello lists no camera/,
      );
      assert.equal(group(first).length, 1, "one alert: only the missing device");
    } finally {
      await first.stop();
    }
    const second = await startConsoleHarness({
      dataDir,
      deviceReport: devices("rpicam"),
      startAt: "2026-11-23T10:30:00Z",
    });
    try {
      const [recovered] = await waitGroup(second, 1);
      assert.match(recovered?.text ?? "", /Recovered/);
      assert.match(recovered?.text ?? "", /camera is found again \(rpicam\)/);
    } finally {
      await second.stop();
    }
  });

  test("the same simulated devices off a Pi, or chosen with HARDWARE=sim, raise nothing", async () => {
    for (const report of [
      { raspberryPi: false, mode: "auto" as const, devices: [{ device: "camera" as const, driver: "sim" }] },
      { raspberryPi: true, mode: "sim" as const, devices: [{ device: "camera" as const, driver: "sim" }] },
    ]) {
      const h = await startConsoleHarness({ deviceReport: report });
      try {
        await h.alerts.engine.idle();
        await h.api.waitForIdle();
        assert.equal(group(h).length, 0, JSON.stringify(report));
        assert.deepEqual(h.alerts.engine.openIncidents(), []);
      } finally {
        await h.stop();
      }
    }
  });
});
