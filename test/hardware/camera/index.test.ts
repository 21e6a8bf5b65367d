import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CAMERA_DRIVERS,
  CameraError,
  createCamera,
  findFfmpeg,
  type SelectCameraOptions,
  selectCamera,
} from "../../../hardware/camera/index.ts";
import { ManualClock } from "../../support/fakes.ts";
import { systemPath, tempDir, writePrograms } from "./fakes.ts";

let root: { dir: string; cleanup: () => void };
let n = 0;
before(() => {
  root = tempDir();
});
after(() => root.cleanup());

function bin(programs: Record<string, string>): string {
  const dir = join(root.dir, `bin${n++}`);
  mkdirSync(dir);
  writePrograms(dir, programs);
  return dir;
}

const listing = `echo "Available cameras"; echo "0 : imx219 [3280x2464 10-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx219@10)"`;

/** Options under which nothing real is found: no rpicam programs, no webcam device, no ffmpeg. */
function nothingHere(): SelectCameraOptions {
  const empty = bin({});
  return {
    mode: "auto",
    clock: new ManualClock(),
    rpicam: { env: { PATH: empty } },
    v4l2: { env: { PATH: empty } },
    device: join(root.dir, "no-video-device"),
  };
}

describe("createCamera", () => {
  test("an unknown name throws, listing the valid ones", () => {
    assert.throws(
      () => createCamera("raspistill"),
      /unknown camera driver "raspistill"; valid drivers: rpicam, v4l2, sim/,
    );
    assert.throws(() => createCamera("toString"), /valid drivers: rpicam, v4l2, sim/);
    assert.deepEqual(CAMERA_DRIVERS, ["rpicam", "v4l2", "sim"]);
  });

  test("each driver by name, with the shared options passed through", () => {
    const common = { width: 800, height: 600, quality: 60, timeoutMs: 5000, clock: new ManualClock() };
    for (const name of CAMERA_DRIVERS) {
      const camera = createCamera(name, common);
      assert.equal(camera.driver, name);
      assert.deepEqual([camera.width, camera.height], [800, 600]);
    }
    assert.throws(() => createCamera("sim", { quality: 0 }), RangeError);
  });

  test("device and realTime are shorthands for the webcam's device and the simulator's pace", async () => {
    const camera = createCamera("v4l2", { device: "/dev/video7" });
    assert.equal((camera as { device?: string }).device, "/dev/video7");
    // a real-time simulator is still a simulator; its clip honours close()
    const sim = createCamera("sim", { realTime: true, sim: { ffmpegPath: null } });
    const clip = sim.clip(20);
    await sim.close();
    await assert.rejects(clip, (e) => e instanceof CameraError && e.code === "closed");
  });
});

describe("selectCamera", () => {
  test("sim: the simulator", async () => {
    const { camera, reason } = await selectCamera({ mode: "sim" });
    assert.equal(camera.driver, "sim");
    assert.equal(reason, "HARDWARE=sim");
  });

  test("auto with a Raspberry Pi camera: rpicam, named in the reason", async () => {
    const { camera, reason } = await selectCamera({
      ...nothingHere(),
      rpicam: { binDir: bin({ "rpicam-still": listing }), env: { PATH: systemPath } },
    });
    assert.equal(camera.driver, "rpicam");
    assert.match(reason ?? "", /imx219/);
  });

  test("auto on Bullseye (libcamera-still only): rpicam with the libcamera prefix", async () => {
    const { camera } = await selectCamera({
      ...nothingHere(),
      rpicam: { binDir: bin({ "libcamera-still": listing }), env: { PATH: systemPath } },
    });
    assert.equal(camera.driver, "rpicam");
    assert.equal((camera as { commandPrefix?: string }).commandPrefix, "libcamera");
  });

  test("auto, rpicam finds no camera, a webcam is there: v4l2, saying why not rpicam", async () => {
    const device = join(root.dir, "fake-webcam");
    writeFileSync(device, "");
    const { camera, reason } = await selectCamera({
      ...nothingHere(),
      rpicam: { binDir: bin({ "rpicam-still": 'echo "No cameras available!"' }), env: { PATH: systemPath } },
      device,
      v4l2: { ffmpegPath: join(bin({ ffmpeg: "exit 0" }), "ffmpeg") },
    });
    assert.equal(camera.driver, "v4l2");
    assert.equal((camera as { device?: string }).device, device);
    assert.match(reason ?? "", /USB webcam/);
    assert.match(reason ?? "", /found no camera/);
  });

  test("auto with nothing: the simulator, with why for both cameras", async () => {
    const { camera, reason } = await selectCamera(nothingHere());
    assert.equal(camera.driver, "sim");
    assert.match(reason ?? "", /HARDWARE=auto and no camera found, using the simulated camera/);
    assert.match(reason ?? "", /neither rpicam-still nor libcamera-still is installed/);
    assert.match(reason ?? "", /USB webcam: ffmpeg is not installed/);
  });

  test("real with nothing: rejects with CameraError 'unavailable', saying why", async () => {
    const err = await selectCamera({ ...nothingHere(), mode: "real" }).catch((e: unknown) => e);
    assert.ok(err instanceof CameraError);
    assert.equal(err.code, "unavailable");
    assert.match(err.message, /HARDWARE=real, but no camera can be used/);
    assert.match(err.message, /Raspberry Pi camera: .*installed/);
  });

  test("real with a camera: the camera", async () => {
    const { camera } = await selectCamera({
      ...nothingHere(),
      mode: "real",
      rpicam: { binDir: bin({ "rpicam-still": listing }), env: { PATH: systemPath } },
    });
    assert.equal(camera.driver, "rpicam");
  });

  test("bad options fail in every mode, before probing", async () => {
    await assert.rejects(selectCamera({ ...nothingHere(), quality: 0 }), RangeError);
    await assert.rejects(selectCamera({ mode: "sim", quality: 101 }), RangeError);
    await assert.rejects(selectCamera({ mode: "maybe" as "auto" }), /unknown hardware mode "maybe"/);
  });
});

describe("findFfmpeg", () => {
  test("finds an executable ffmpeg on PATH, or says undefined", () => {
    const dir = bin({ ffmpeg: "exit 0" });
    assert.equal(findFfmpeg({ PATH: `${root.dir}:${dir}` }), join(dir, "ffmpeg"));
    assert.equal(findFfmpeg({ PATH: root.dir }), undefined);
    assert.equal(findFfmpeg({}), undefined);
    writeFileSync(join(root.dir, "ffmpeg"), "not executable");
    assert.equal(findFfmpeg({ PATH: root.dir }), undefined);
  });
});
