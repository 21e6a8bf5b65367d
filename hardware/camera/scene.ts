/**
 * The simulated camera's view of the server room, as SVG text (pure: no I/O, no sharp).
 *
 * The picture is drawn in a 1280x720 design space and scaled to the frame size. It has
 * two layers so that a frame costs little to render:
 *   background() -> everything that never changes: walls, floor and ceiling in perspective,
 *                   three racks of server units (layout from the seed), the door with its
 *                   card reader, the unlit LEDs;
 *   overlay(...) -> what changes with time, on a transparent canvas: lit status LEDs (each
 *                   blinks with its own period and phase, so consecutive frames differ in a
 *                   few dozen pixels only), the person walking from the door across the
 *                   room (when there is one), and the timestamp in the top-left corner,
 *                   drawn as seven-segment digits so that it needs no fonts.
 */
import { mulberry32 } from "../../core/random.ts";
import { formatLocalDateTime } from "../../core/time.ts";

/** Where the person is: `progress` 0 (in the doorway) .. 1 (far side), `elapsedMs` since they entered. */
export interface PersonPose {
  progress: number;
  elapsedMs: number;
}

export interface RoomSceneOptions {
  width: number;
  height: number;
  /** Rack layout and LED timing (default 1). */
  seed?: number;
  /** Time zone of the timestamp (default: the process's own). */
  timeZone?: string;
}

/** Part of the overlay: an SVG image to place at (left, top) of the frame, in pixels. */
export interface OverlayPiece {
  svg: string;
  left: number;
  top: number;
}

export interface RoomScene {
  readonly width: number;
  readonly height: number;
  /** The static picture (opaque), frame-sized. */
  background(): string;
  /** The moving parts at `at` (epoch ms), as a few small pieces (compositing small images is cheap). */
  overlay(at: number, person?: PersonPose): OverlayPiece[];
}

/** Design space. */
const W = 1280;
const H = 720;
/** The back wall. */
const BACK = { left: 300, right: 980, top: 150, bottom: 500 };
const VANISH = { x: 640, y: 325 };

interface Led {
  x: number;
  y: number;
  w: number;
  h: number;
  on: string;
  periodMs: number;
  phase: number;
  /** Share of each period the LED is lit. */
  duty: number;
  /** Rack LEDs share one overlay piece; the card reader's has its own. */
  group: "racks" | "door";
}

const RACKS = [
  { x: 370, width: 150 },
  { x: 565, width: 150 },
  { x: 760, width: 150 },
];
const RACK_TOP = 188;
const RACK_BOTTOM = 500;
const RACK_UNITS = 40;

const SEGMENTS: Record<string, string> = {
  "0": "abcdef",
  "1": "bc",
  "2": "abged",
  "3": "abgcd",
  "4": "fgbc",
  "5": "afgcd",
  "6": "afgedc",
  "7": "abc",
  "8": "abcdefg",
  "9": "abcdfg",
  "-": "g",
};

const num = (n: number) => (Math.round(n * 10) / 10).toString();

function poly(points: [number, number][], fill: string, extra = ""): string {
  return `<polygon points="${points.map(([x, y]) => `${num(x)},${num(y)}`).join(" ")}" fill="${fill}"${extra}/>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string, extra = ""): string {
  return `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" fill="${fill}"${extra}/>`;
}

/** y where the line from the vanishing point through (x0, y0) reaches x. */
function towardsViewer(x0: number, y0: number, x: number): number {
  return VANISH.y + ((y0 - VANISH.y) * (x - VANISH.x)) / (x0 - VANISH.x);
}

/** Where the floor meets the side walls at the frame's left and right edges. */
const FLOOR_EDGE_Y = towardsViewer(BACK.right, BACK.bottom, W);
const CEILING_EDGE_Y = towardsViewer(BACK.right, BACK.top, W);

/** Right wall: y of its top and bottom edges at x. */
function rightWall(x: number): { top: number; bottom: number } {
  return { top: towardsViewer(BACK.right, BACK.top, x), bottom: towardsViewer(BACK.right, BACK.bottom, x) };
}

/** A point on the right wall: x, and v = 0 (floor) .. 1 (ceiling). */
function onRightWall(x: number, v: number): [number, number] {
  const { top, bottom } = rightWall(x);
  return [x, bottom - v * (bottom - top)];
}

function svg(width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${W} ${H}" preserveAspectRatio="none">${body}</svg>`
  );
}

function drawRoom(): string {
  const parts: string[] = [];
  parts.push(
    "<defs>",
    '<linearGradient id="floor" x1="0" y1="0" x2="0" y2="1">',
    '<stop offset="0" stop-color="#6d737a"/><stop offset="1" stop-color="#9aa0a6"/></linearGradient>',
    '<linearGradient id="ceiling" x1="0" y1="0" x2="0" y2="1">',
    '<stop offset="0" stop-color="#c9ccce"/><stop offset="1" stop-color="#a9adb0"/></linearGradient>',
    '<linearGradient id="left" x1="0" y1="0" x2="1" y2="0">',
    '<stop offset="0" stop-color="#8e959b"/><stop offset="1" stop-color="#b4b9bd"/></linearGradient>',
    '<linearGradient id="right" x1="1" y1="0" x2="0" y2="0">',
    '<stop offset="0" stop-color="#858c93"/><stop offset="1" stop-color="#aeb3b8"/></linearGradient>',
    '<radialGradient id="vignette" cx="0.5" cy="0.45" r="0.75">',
    '<stop offset="0.55" stop-color="#000" stop-opacity="0"/>',
    '<stop offset="1" stop-color="#000" stop-opacity="0.45"/></radialGradient>',
    "</defs>",
  );
  // walls, floor, ceiling
  parts.push(rect(BACK.left, BACK.top, BACK.right - BACK.left, BACK.bottom - BACK.top, "#bfc3c6"));
  parts.push(
    poly(
      [
        [0, CEILING_EDGE_Y],
        [0, 0],
        [W, 0],
        [W, CEILING_EDGE_Y],
        [BACK.right, BACK.top],
        [BACK.left, BACK.top],
      ],
      "url(#ceiling)",
    ),
  );
  parts.push(
    poly(
      [
        [0, FLOOR_EDGE_Y],
        [0, H],
        [W, H],
        [W, FLOOR_EDGE_Y],
        [BACK.right, BACK.bottom],
        [BACK.left, BACK.bottom],
      ],
      "url(#floor)",
    ),
  );
  parts.push(
    poly(
      [
        [0, CEILING_EDGE_Y],
        [BACK.left, BACK.top],
        [BACK.left, BACK.bottom],
        [0, FLOOR_EDGE_Y],
      ],
      "url(#left)",
    ),
  );
  parts.push(
    poly(
      [
        [W, CEILING_EDGE_Y],
        [BACK.right, BACK.top],
        [BACK.right, BACK.bottom],
        [W, FLOOR_EDGE_Y],
      ],
      "url(#right)",
    ),
  );
  // raised-floor tiles: lines towards the vanishing point, and rows
  const tileLines: string[] = [];
  for (let i = 0; i <= 8; i++) {
    const bx = BACK.left + ((BACK.right - BACK.left) * i) / 8;
    const fx = VANISH.x + ((bx - VANISH.x) * (H - VANISH.y)) / (BACK.bottom - VANISH.y);
    tileLines.push(`M${num(bx)},${BACK.bottom}L${num(fx)},${H}`);
  }
  for (const t of [0.12, 0.28, 0.48, 0.74]) {
    const y = BACK.bottom + t * (H - BACK.bottom);
    const s = (y - VANISH.y) / (BACK.bottom - VANISH.y);
    tileLines.push(
      `M${num(VANISH.x - (VANISH.x - BACK.left) * s)},${num(y)}H${num(VANISH.x + (BACK.right - VANISH.x) * s)}`,
    );
  }
  parts.push(`<path d="${tileLines.join("")}" stroke="#5b6066" stroke-width="1.5" fill="none"/>`);
  // ceiling lights and a cable tray along the back wall
  for (const [cx, depth] of [
    [640, 0.35],
    [640, 0.75],
  ] as const) {
    const y = BACK.top * depth;
    const s = (VANISH.y - y) / (VANISH.y - BACK.top);
    const half = 90 * s;
    parts.push(
      poly(
        [
          [cx - half, y - 10 * s],
          [cx + half, y - 10 * s],
          [cx + half * 0.92, y + 8 * s],
          [cx - half * 0.92, y + 8 * s],
        ],
        "#f4f6f0",
      ),
    );
  }
  parts.push(rect(BACK.left, 164, BACK.right - BACK.left, 12, "#7c8288"));
  parts.push(rect(BACK.left, 176, BACK.right - BACK.left, 3, "#5d6268"));
  // an air conditioner on the left wall
  parts.push(
    poly(
      [
        [70, 150],
        [230, 196],
        [230, 262],
        [70, 236],
      ],
      "#e6e8e9",
      ' stroke="#9aa0a5" stroke-width="2"',
    ),
  );
  parts.push(`<path d="M86,214L218,248M86,222L218,255M86,230L218,262" stroke="#a7adb2" stroke-width="2" fill="none"/>`);
  // door on the right wall, a card reader beside it
  const d1 = 1040;
  const d2 = 1160;
  parts.push(poly([onRightWall(d1, 0), onRightWall(d1, 0.74), onRightWall(d2, 0.74), onRightWall(d2, 0)], "#5d6f82"));
  parts.push(
    poly(
      [onRightWall(d1 + 8, 0), onRightWall(d1 + 8, 0.71), onRightWall(d2 - 8, 0.71), onRightWall(d2 - 8, 0)],
      "#7d90a3",
    ),
  );
  parts.push(
    poly(
      [onRightWall(d1 + 30, 0.45), onRightWall(d1 + 30, 0.62), onRightWall(d2 - 30, 0.62), onRightWall(d2 - 30, 0.45)],
      "#b9d3e6",
    ),
  );
  const [hx, hy] = onRightWall(d1 + 18, 0.36);
  parts.push(rect(hx - 4, hy - 3, 16, 7, "#d8d8d8"));
  parts.push(
    poly([onRightWall(1190, 0.4), onRightWall(1190, 0.47), onRightWall(1204, 0.47), onRightWall(1204, 0.4)], "#23272c"),
  );
  return parts.join("");
}

/** The racks and their units; LEDs are collected for the overlay. */
function drawRacks(random: () => number, leds: Led[]): string {
  const parts: string[] = [];
  const unitH = (RACK_BOTTOM - RACK_TOP - 16) / RACK_UNITS;
  for (const rack of RACKS) {
    parts.push(rect(rack.x - 6, RACK_TOP - 8, rack.width + 12, RACK_BOTTOM - RACK_TOP + 8, "#1b1e22"));
    parts.push(rect(rack.x, RACK_TOP, rack.width, RACK_BOTTOM - RACK_TOP - 8, "#0e1013"));
    // rack feet shadow on the floor
    parts.push(rect(rack.x - 10, RACK_BOTTOM - 2, rack.width + 20, 6, "#3e4247", ' opacity="0.6"'));
    let u = 0;
    while (u < RACK_UNITS) {
      const roll = random();
      const size = roll < 0.45 ? 1 : roll < 0.8 ? 2 : roll < 0.93 ? 4 : 0;
      if (size === 0 || u + size > RACK_UNITS) {
        u += 1;
        continue;
      }
      const y = RACK_TOP + 4 + u * unitH;
      const h = size * unitH - 1;
      const shade = ["#2c3138", "#353b43", "#3f454e", "#272b31"][Math.floor(random() * 4)] ?? "#2c3138";
      parts.push(rect(rack.x + 4, y, rack.width - 8, h, shade));
      // vents
      if (size >= 2) {
        const vents: string[] = [];
        for (let vx = rack.x + 14; vx < rack.x + rack.width - 40; vx += 6) {
          vents.push(`M${num(vx)},${num(y + 2)}v${num(h - 4)}`);
        }
        parts.push(`<path d="${vents.join("")}" stroke="#1c2025" stroke-width="2" fill="none"/>`);
      } else {
        parts.push(rect(rack.x + 12, y + h / 2 - 0.75, rack.width - 60, 1.5, "#20252a"));
      }
      // status LEDs at the right end of the unit
      const count = 1 + Math.floor(random() * 3);
      for (let i = 0; i < count; i++) {
        const lx = rack.x + rack.width - 14 - i * 9;
        const ly = y + Math.min(h / 2, unitH / 2) - 1.5;
        const amber = random() < 0.12;
        parts.push(rect(lx, ly, 5, 3, amber ? "#3a2a08" : "#0f2d16"));
        leds.push({
          x: lx,
          y: ly,
          w: 5,
          h: 3,
          on: amber ? "#ffb020" : "#3cff6e",
          periodMs: 250 + Math.floor(random() * 1750),
          phase: random(),
          duty: amber ? 0.5 : 0.3 + random() * 0.5,
          group: "racks",
        });
      }
      u += size;
    }
  }
  // the card reader's LED
  const [rx, ry] = onRightWall(1194, 0.45);
  leds.push({ x: rx, y: ry, w: 4, h: 3, on: "#ff3b30", periodMs: 2000, phase: 0, duty: 0.1, group: "door" });
  return parts.join("");
}

function sevenSegment(text: string, x: number, y: number, digitW: number, digitH: number, color: string): string {
  const t = Math.max(1.5, digitW / 5);
  const half = digitH / 2;
  const paths: string[] = [];
  let cx = x;
  for (const ch of text) {
    if (ch === " ") {
      cx += digitW * 0.7;
      continue;
    }
    if (ch === ":") {
      paths.push(`M${num(cx)},${num(y + digitH * 0.28)}h${num(t)}v${num(t)}h${num(-t)}z`);
      paths.push(`M${num(cx)},${num(y + digitH * 0.68)}h${num(t)}v${num(t)}h${num(-t)}z`);
      cx += t + digitW * 0.45;
      continue;
    }
    const segs = SEGMENTS[ch] ?? "";
    const seg: Record<string, [number, number, number, number]> = {
      a: [cx, y, digitW, t],
      b: [cx + digitW - t, y, t, half],
      c: [cx + digitW - t, y + half, t, half],
      d: [cx, y + digitH - t, digitW, t],
      e: [cx, y + half, t, half],
      f: [cx, y, t, half],
      g: [cx, y + half - t / 2, digitW, t],
    };
    for (const s of segs) {
      const r = seg[s];
      if (r) paths.push(`M${num(r[0])},${num(r[1])}h${num(r[2])}v${num(r[3])}h${num(-r[2])}z`);
    }
    cx += digitW + digitW * 0.45;
  }
  return `<path d="${paths.join("")}" fill="${color}"/>`;
}

function timestampText(at: number, timeZone: string | undefined): string {
  return formatLocalDateTime(at, timeZone);
}

/** A dark silhouette, feet at (x, y), `size` px tall, legs and arms swinging with `swing` (-1..1). */
function person(x: number, y: number, size: number, swing: number): string {
  const s = size / 300;
  const leg = 140 * s;
  const arm = 95 * s;
  const a = swing * 0.4;
  // the feet stay on the floor: the hip drops as the legs spread
  const hip = y - Math.cos(a) * leg;
  const shoulder = hip - 100 * s;
  const footL = [x + Math.sin(a) * leg, y] as const;
  const footR = [x - Math.sin(a) * leg, y] as const;
  const legPath = `M${num(x)},${num(hip)}L${num(footL[0])},${num(footL[1])}M${num(x)},${num(hip)}L${num(footR[0])},${num(footR[1])}`;
  const armY = shoulder + 12 * s;
  const armPath =
    `M${num(x - 34 * s)},${num(armY)}L${num(x - 34 * s - Math.sin(a) * arm)},${num(armY + Math.cos(a) * arm)}` +
    `M${num(x + 34 * s)},${num(armY)}L${num(x + 34 * s + Math.sin(a) * arm)},${num(armY + Math.cos(a) * arm)}`;
  return (
    `<ellipse cx="${num(x)}" cy="${num(y + 2)}" rx="${num(44 * s)}" ry="${num(8 * s)}" fill="#2a2d31" opacity="0.35"/>` +
    `<path d="${legPath}" stroke="#23252b" stroke-width="${num(30 * s)}" stroke-linecap="round" fill="none"/>` +
    `<path d="${armPath}" stroke="#44709f" stroke-width="${num(22 * s)}" stroke-linecap="round" fill="none"/>` +
    `<rect x="${num(x - 40 * s)}" y="${num(shoulder)}" width="${num(80 * s)}" height="${num(118 * s)}" ` +
    `rx="${num(20 * s)}" fill="#4f7fb8"/>` +
    `<circle cx="${num(x)}" cy="${num(shoulder - 30 * s)}" r="${num(25 * s)}" fill="#c9a184"/>` +
    `<path d="M${num(x - 25 * s)},${num(shoulder - 34 * s)}a${num(25 * s)},${num(25 * s)} 0 0 1 ${num(50 * s)},0z" fill="#3b2a20"/>`
  );
}

/** Where the walk goes: from the doorway to the far left, a little towards the camera. */
export function personPosition(progress: number): { x: number; y: number; size: number } {
  const p = Math.max(0, Math.min(1, progress));
  const [doorX, doorY] = onRightWall(1100, 0);
  const x = doorX + (240 - doorX) * p;
  const y = doorY + (640 - doorY) * Math.min(1, p * 2.5);
  const size = 340 + 60 * Math.min(1, p * 2.5);
  return { x, y, size };
}

export function createRoomScene(opts: RoomSceneOptions): RoomScene {
  const { width, height } = opts;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16) {
    throw new RangeError(`frame size must be whole numbers >= 16, got ${width}x${height}`);
  }
  const sx = width / W;
  const sy = height / H;
  const random = mulberry32(opts.seed ?? 1);
  const leds: Led[] = [];
  const background = svg(width, height, drawRoom() + drawRacks(random, leds) + rect(0, 0, W, H, "url(#vignette)"));

  /** An SVG covering the design-space box (x, y, w, h), cut to whole frame pixels. */
  function piece(x: number, y: number, w: number, h: number, body: string): OverlayPiece | undefined {
    const left = Math.max(0, Math.floor(x * sx));
    const top = Math.max(0, Math.floor(y * sy));
    const right = Math.min(width, Math.ceil((x + w) * sx));
    const bottom = Math.min(height, Math.ceil((y + h) * sy));
    if (right <= left || bottom <= top) return undefined;
    const viewBox = [left / sx, top / sy, (right - left) / sx, (bottom - top) / sy].map(num).join(" ");
    return {
      left,
      top,
      svg:
        `<svg xmlns="http://www.w3.org/2000/svg" width="${right - left}" height="${bottom - top}" ` +
        `viewBox="${viewBox}" preserveAspectRatio="none">${body}</svg>`,
    };
  }

  /** Each LED group and its bounding box. */
  const ledGroups = (["racks", "door"] as const).map((group) => {
    const members = leds.filter((led) => led.group === group);
    const x0 = Math.min(...members.map((l) => l.x)) - 1;
    const y0 = Math.min(...members.map((l) => l.y)) - 1;
    const x1 = Math.max(...members.map((l) => l.x + l.w)) + 1;
    const y1 = Math.max(...members.map((l) => l.y + l.h)) + 1;
    return { members, box: [x0, y0, x1 - x0, y1 - y0] as const };
  });
  const pad = 8;
  const digitW = 11;
  const digitH = 20;

  return {
    width,
    height,
    background: () => background,
    overlay(at, pose) {
      const pieces: (OverlayPiece | undefined)[] = [];
      for (const { members, box } of ledGroups) {
        const lit: string[] = [];
        for (const led of members) {
          const cycle = (((at / led.periodMs + led.phase) % 1) + 1) % 1;
          if (cycle < led.duty) lit.push(rect(led.x, led.y, led.w, led.h, led.on));
        }
        if (lit.length > 0) pieces.push(piece(...box, lit.join("")));
      }
      if (pose) {
        const { x, y, size } = personPosition(pose.progress);
        const body = person(x, y, size, Math.sin((pose.elapsedMs / 550) * Math.PI));
        pieces.push(piece(x - size * 0.4, y - size * 1.02, size * 0.8, size * 1.1, body));
      }
      const text = timestampText(at, opts.timeZone);
      const textW = text.length * digitW * 1.4;
      pieces.push(
        piece(
          12,
          12,
          textW + 2 * pad,
          digitH + 2 * pad,
          rect(12, 12, textW + 2 * pad, digitH + 2 * pad, "#000", ' opacity="0.55"') +
            sevenSegment(text, 12 + pad, 12 + pad, digitW, digitH, "#f2f2f2"),
        ),
      );
      return pieces.filter((p): p is OverlayPiece => p !== undefined);
    },
  };
}

export { mulberry32 };
