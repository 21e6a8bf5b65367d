/**
 * Test doubles at the motion devices' boundaries: a small Camera that photographs a scene
 * drawn with sharp (a grey background, optional blocks, a brightness offset, noise) and
 * can fail or hang on demand; a stand-in for onoff's Gpio class on a pin whose level the
 * test sets; synthetic grey frames; and a wait for the camera sensor's asynchronous work.
 */
import assert from "node:assert/strict";
import sharp from "sharp";
import type { Camera, CameraError, Clip, Snapshot } from "../../../core/camera/camera.ts";
import { mulberry32 } from "../../../hardware/camera/scene.ts";
import type { GreyFrame } from "../../../hardware/motion/frame-diff.ts";
import type { GpioClass, GpioPin, GpioValue, GpioWatchCallback, OnoffLibrary } from "../../../hardware/motion/pir.ts";
import type { ManualClock } from "../../support/fakes.ts";

/** A deterministic pseudo-random generator (mulberry32), so noisy frames are the same every run. */
export const seeded: (seed: number) => () => number = mulberry32;

export interface Block {
  x: number;
  y: number;
  w: number;
  h: number;
  level: number;
}

/** A synthetic grey frame: `background` everywhere, then the blocks. */
export function greyFrame(width: number, height: number, background: number, blocks: Block[] = []): GreyFrame {
  const data = new Uint8Array(width * height).fill(background);
  for (const b of blocks) {
    for (let y = b.y; y < b.y + b.h; y++) data.fill(b.level, y * width + b.x, y * width + b.x + b.w);
  }
  return { width, height, data };
}

/** `frame` with every grey level moved by `delta` (clamped to 0..255). */
export function shifted(frame: GreyFrame, delta: number): GreyFrame {
  const data = new Uint8Array(frame.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, (frame.data[i] as number) + delta));
  return { width: frame.width, height: frame.height, data };
}

/** `frame` with independent noise of up to +-`amplitude` on every pixel. */
export function noisy(frame: GreyFrame, amplitude: number, random: () => number): GreyFrame {
  const data = new Uint8Array(frame.data.length);
  for (let i = 0; i < data.length; i++) {
    const n = Math.round((random() * 2 - 1) * amplitude);
    data[i] = Math.max(0, Math.min(255, (frame.data[i] as number) + n));
  }
  return { width: frame.width, height: frame.height, data };
}

/** What the fake camera sees. Coordinates are in the camera's pixels. */
export interface Scene {
  /** Grey level of the room (default 110). */
  background?: number;
  /** Objects: grey rectangles. */
  blocks?: Block[];
  /** Added to every pixel (lights). */
  brightness?: number;
  /** Noise amplitude (sensor noise), seeded by `seed`. */
  noise?: number;
  seed?: number;
}

/** Draws a scene as a JPEG, as a camera would deliver it (a gradient so the picture is not flat). */
export async function sceneJpeg(width: number, height: number, scene: Scene = {}): Promise<Buffer> {
  const background = scene.background ?? 110;
  const brightness = scene.brightness ?? 0;
  const random = seeded(scene.seed ?? 1);
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let level = background + Math.round((x / width) * 40) - 20;
      for (const b of scene.blocks ?? []) {
        if (x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h) level = b.level;
      }
      level += brightness;
      if (scene.noise) level += Math.round((random() * 2 - 1) * scene.noise);
      const v = Math.max(0, Math.min(255, level));
      const i = (y * width + x) * 3;
      data[i] = v;
      data[i + 1] = v;
      data[i + 2] = v;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A Camera that photographs `scene`. `failWith` makes snapshots reject; `garbage` makes
 * them return bytes that are not a JPEG; `hold()` makes the next snapshots wait for
 * `release()`; `takesMs` advances the clock during each snapshot (a slow capture).
 */
export class FakeCamera implements Camera {
  readonly width: number;
  readonly height: number;
  scene: Scene = {};
  failWith: CameraError | undefined;
  garbage = false;
  takesMs = 0;
  snapshots = 0;
  inFlight = 0;
  maxInFlight = 0;
  closed = false;
  private gate: Deferred | undefined;
  private readonly cache = new Map<string, Promise<Buffer>>();

  private readonly clock: ManualClock;
  readonly driver: string;

  constructor(
    clock: ManualClock,
    driver = "fake",
    size: { width: number; height: number } = { width: 320, height: 240 },
  ) {
    this.clock = clock;
    this.driver = driver;
    this.width = size.width;
    this.height = size.height;
  }

  hold(): void {
    this.gate ??= deferred();
  }

  release(): void {
    const gate = this.gate;
    this.gate = undefined;
    gate?.resolve();
  }

  async snapshot(): Promise<Snapshot> {
    this.snapshots++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate.promise;
      this.clock.advance(this.takesMs);
      if (this.failWith) throw this.failWith;
      const at = this.clock.now().getTime();
      if (this.garbage) return { jpeg: Buffer.from("not a jpeg"), width: this.width, height: this.height, at };
      const key = JSON.stringify(this.scene);
      let jpeg = this.cache.get(key);
      if (!jpeg) {
        jpeg = sceneJpeg(this.width, this.height, this.scene);
        this.cache.set(key, jpeg);
      }
      return { jpeg: await jpeg, width: this.width, height: this.height, at };
    } finally {
      this.inFlight--;
    }
  }

  async clip(): Promise<Clip> {
    throw new Error("the fake camera does not record clips");
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/**
 * Waits (on the event loop, not on a clock) until `condition` holds: the camera sensor's
 * captures run through sharp's thread pool. Fails after `rounds` turns of the loop.
 */
export async function until(condition: () => boolean, what: string, rounds = 10_000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail(`timed out waiting until ${what}`);
}

/** The world a fake onoff Gpio lives in: the pin's level, GPIO access, what was exported. */
export class FakeGpioWorld {
  accessible = true;
  level: GpioValue = 0;
  /** Thrown by the Gpio constructor (the export or the direction/edge write failed). */
  openFailure: unknown;
  /** Thrown by watch(). */
  watchFailure: unknown;
  /** Every construction: sysfs number, direction, edge, options. */
  readonly opened: { gpio: number; direction: string; edge: string; options: { debounceTimeout?: number } }[] = [];
  /** Sysfs numbers currently exported. */
  readonly exported = new Set<number>();
  readonly unexported: number[] = [];
  readonly callbacks = new Set<GpioWatchCallback>();
  loads = 0;

  library(): OnoffLibrary {
    const world = this;
    class FakeGpio implements GpioPin {
      static get accessible(): boolean {
        return world.accessible;
      }
      private exported = true;
      private readonly gpio: number;
      constructor(gpio: number, direction: "in", edge: "both", options: { debounceTimeout?: number }) {
        this.gpio = gpio;
        if (world.openFailure !== undefined) throw world.openFailure;
        world.opened.push({ gpio, direction, edge, options });
        world.exported.add(gpio);
      }
      readSync(): GpioValue {
        assert.ok(this.exported, "readSync() after unexport()");
        return world.level;
      }
      watch(callback: GpioWatchCallback): void {
        assert.ok(this.exported, "watch() after unexport()");
        if (world.watchFailure !== undefined) throw world.watchFailure;
        world.callbacks.add(callback);
      }
      unwatch(callback?: GpioWatchCallback): void {
        if (callback) world.callbacks.delete(callback);
        else world.callbacks.clear();
      }
      unexport(): void {
        world.callbacks.clear();
        this.exported = false;
        world.exported.delete(this.gpio);
        world.unexported.push(this.gpio);
      }
    }
    return { Gpio: FakeGpio satisfies GpioClass };
  }

  /** A loader for the driver's `loadLibrary` option that counts loads. */
  readonly load = async (): Promise<OnoffLibrary> => {
    this.loads++;
    return this.library();
  };

  /** The pin settles at `value` (onoff calls the watchers after its debounce). */
  set(value: GpioValue): void {
    this.level = value;
    for (const callback of [...this.callbacks]) callback(null, value);
  }

  /** epoll reports an error to the watchers. */
  fail(err: Error): void {
    for (const callback of [...this.callbacks]) callback(err, this.level);
  }
}
