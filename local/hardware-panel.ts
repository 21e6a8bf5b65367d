/**
 * The hardware panel of local mode: what the web page shows of the room's devices and
 * what it may do to the simulated ones (set the climate, tap a card, move in front of the
 * camera, break a sensor, take a server down). Real devices (HARDWARE=auto on a Pi) are
 * shown but not controllable.
 *
 * Every action goes through the devices' own simulator APIs, so the console reacts
 * exactly as to the real thing: the room-status job reads the held temperature, the door
 * job gets the tap, the server-check job finds the port closed.
 */
import type { Room, RoomDevices } from "../app/compose-room.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import { formatCardUid, normalizeUid } from "../core/door/card-uid.ts";
import { describeOfficeHours, isWithinOfficeHours } from "../core/office-hours.ts";
import type { HostResult } from "../core/servers/types.ts";
import type { Storage } from "../core/storage.ts";
import type { SimulatedCamera } from "../hardware/camera/simulator.ts";
import type { SimulatedCardReader } from "../hardware/cards/simulator.ts";
import type { SimulatedClimateSensor } from "../hardware/climate/simulator.ts";
import type { SimulatedDisplay } from "../hardware/display/simulator.ts";
import { lcdToReadable } from "../hardware/display/text.ts";
import type { SimulatedMotionSensor } from "../hardware/motion/simulator.ts";
import type { SimulatedServerFleet } from "./sim-servers.ts";

export interface HardwareState {
  officeHours: { open: boolean; description: string };
  climate: {
    driver: string;
    controllable: boolean;
    broken: boolean;
    held: boolean;
    last: { temperatureC: number; humidityPct: number; at: number } | null;
    range: { temperature: [number, number]; humidity: [number, number] };
  };
  door: {
    driver: string;
    controllable: boolean;
    broken: boolean;
    cards: { uid: string; name: string; role: string; active: boolean }[];
  };
  motion: { driver: string; controllable: boolean; broken: boolean; armed: boolean };
  camera: { driver: string; controllable: boolean; broken: boolean };
  lcd: { driver: string; cols: number; rows: number; lines: string[] };
  servers: {
    name: string;
    address: string;
    port: number;
    simulated: boolean;
    up: boolean;
    diskPct: number | null;
    loadPerCore: number | null;
    memoryPct: number | null;
    services: Record<string, string>;
    lastCheck: { ok: boolean; at: number; summary: string } | null;
  }[];
}

export type HardwareAction =
  | { device: "climate"; action: "set"; temperatureC?: unknown; humidityPct?: unknown }
  | { device: "climate" | "door" | "motion" | "camera"; action: "break" | "repair" | "release" | "trigger" }
  | { device: "door"; action: "tap"; uid?: unknown }
  | { device: "server"; name?: unknown; action: string; service?: unknown };

/**
 * What the panel says, as a sentence in English (`info`, an error's message) and, for the page to
 * say it in the reader's language, a code with its values (the page's dictionary has `code`s:
 * local/web/public/i18n.js).
 */
export interface PanelText {
  code: string;
  params?: Record<string, string | number>;
}

/** A request the panel refuses; the message is for people. */
export class PanelError extends Error {
  override readonly name = "PanelError";
  readonly text: PanelText | undefined;
  constructor(message: string, text?: PanelText) {
    super(message);
    this.text = text;
  }
}

/** What an action did: a sentence to show (`info`) and the same as a code (`notice`). */
export interface PanelOutcome {
  info?: string;
  notice?: PanelText;
}

const outcome = (info: string, code: string, params?: PanelText["params"]): PanelOutcome => ({
  info,
  notice: params ? { code, params } : { code },
});

export interface HardwarePanel {
  state(): Promise<HardwareState>;
  /** Does what the page asked; resolves with a sentence to show, or rejects with a PanelError. */
  act(request: Record<string, unknown>): Promise<PanelOutcome>;
  /** Called when something on the panel may have changed (debounced by the caller). */
  onChange(listener: () => void): () => void;
  /** Tells the listeners something changed that the panel cannot see itself (the LCD drew a frame). */
  changed(): void;
}

export interface HardwarePanelDeps {
  config: Config;
  storage: Storage;
  room: Room;
  devices: RoomDevices;
  fleet: SimulatedServerFleet | undefined;
  clock: Clock;
}

/** The device as its simulator (driver "sim", which the select* factories only give to simulators), else undefined. */
const simulated = <T>(device: { driver: string }): T | undefined =>
  device.driver === "sim" ? (device as unknown as T) : undefined;

export function createHardwarePanel(deps: HardwarePanelDeps): HardwarePanel {
  const { config, storage, room, devices, fleet, clock } = deps;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of listeners) {
      try {
        l();
      } catch {
        // a view's problem
      }
    }
  };
  // What the simulators do not report themselves.
  const broken = { climate: false, door: false, motion: false, camera: false };
  let held = false;

  for (const event of [
    "climate.reading",
    "climate.sensor-error",
    "door.access",
    "door.enrolled",
    "camera.failed",
    "camera.ok",
    "motion.detected",
    "motion.dead",
    "motion.alive",
  ] as const) {
    room.bus.on(event, () => changed());
  }

  const climate = simulated<SimulatedClimateSensor>(devices.climate);
  const reader = simulated<SimulatedCardReader>(devices.cards);
  const motion = simulated<SimulatedMotionSensor>(devices.motion);
  const camera = simulated<SimulatedCamera>(devices.camera);
  const display = simulated<SimulatedDisplay>(devices.display);

  const need = <T>(device: T | undefined, what: string): T => {
    if (!device) throw new PanelError(`The ${what} is a real device here; the panel only drives simulated ones.`);
    return device;
  };

  async function serverAction(req: Record<string, unknown>): Promise<PanelOutcome> {
    if (!fleet) throw new PanelError("There are no simulated servers in this console.");
    const name = typeof req.name === "string" ? req.name : "";
    const host = fleet.get(name);
    if (!host) {
      throw new PanelError(
        `No simulated server called "${name}". Simulated servers: ${fleet.hosts.map((h) => h.name).join(", ")}.`,
      );
    }
    const services = Object.keys(host.state().services);
    const service = typeof req.service === "string" && req.service !== "" ? req.service : services[0];
    let done: PanelOutcome;
    switch (req.action) {
      case "down":
        await host.setUp(false);
        done = outcome(`${name} is down: its SSH port refuses connections.`, "server-down", { name });
        break;
      case "up":
        await host.setUp(true);
        done = outcome(`${name} is back up.`, "server-up", { name });
        break;
      case "fill-disk":
        host.set({ diskPct: 99 });
        done = outcome(`${name}'s disk is 99 % full.`, "server-fill-disk", { name, pct: 99 });
        break;
      case "free-disk":
        host.set({ diskPct: 42 });
        done = outcome(`${name}'s disk is back to 42 %.`, "server-free-disk", { name, pct: 42 });
        break;
      case "fail-service":
      case "fix-service": {
        if (!service || !services.includes(service)) {
          throw new PanelError(`${name} has no service "${String(req.service)}"; it runs ${services.join(", ")}.`);
        }
        const failed = req.action === "fail-service";
        host.setService(service, failed ? "failed" : "active");
        if (failed) host.logError(`${new Date(clock.now()).toISOString()} ${name} systemd[1]: ${service} failed.`);
        done = failed
          ? outcome(`${service} on ${name} has failed.`, "service-failed", { name, service })
          : outcome(`${service} on ${name} is running again.`, "service-fixed", { name, service });
        break;
      }
      default:
        throw new PanelError(
          `Unknown server action "${String(req.action)}": down, up, fill-disk, free-disk, fail-service, fix-service.`,
        );
    }
    changed();
    // The console checks that server at once, as "Check now" in /servers would.
    void room.serverChecks.checkNow(name).finally(changed);
    return { info: `${done.info} Checking it now.`, ...(done.notice ? { notice: done.notice } : {}) };
  }

  function numberIn(value: unknown, lo: number, hi: number, what: string, code: string): number | undefined {
    if (value === undefined || value === null || value === "") return undefined;
    const n = typeof value === "number" ? value : Number(value);
    if (!Number.isFinite(n) || n < lo || n > hi) {
      throw new PanelError(`${what} must be a number from ${lo} to ${hi}.`, { code, params: { lo, hi } });
    }
    return n;
  }

  return {
    changed,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async state() {
      const [last] = await storage.readings.latest(config.roomId, 1).catch(() => []);
      const cards = await storage.staff.list({ includeRevoked: true }).catch(() => []);
      const results = await storage.serverResults
        .latestPerHost(config.roomId)
        .catch(() => new Map<string, HostResult>());
      const catalogue = await storage.hosts.list(config.roomId).catch(() => []);
      const t = config.thresholds;
      const lines = display ? display.frame().map((l) => lcdToReadable(l)) : [];
      return {
        officeHours: {
          open: isWithinOfficeHours(clock.now(), config.officeHours),
          description: `${describeOfficeHours(config.officeHours)} (${config.officeHours.timeZone})`,
        },
        climate: {
          driver: devices.climate.driver,
          controllable: climate !== undefined,
          broken: broken.climate,
          held,
          last: last ? { temperatureC: last.temperatureC, humidityPct: last.humidityPct, at: last.at } : null,
          range: {
            temperature: [t.temperatureC.warn.min, t.temperatureC.warn.max],
            humidity: [t.humidityPct.warn.min, t.humidityPct.warn.max],
          },
        },
        door: {
          driver: devices.cards.driver,
          controllable: reader !== undefined,
          broken: broken.door,
          cards: cards.map((m) => ({ uid: formatCardUid(m.cardUid), name: m.name, role: m.role, active: m.active })),
        },
        motion: {
          driver: devices.motion.driver,
          controllable: motion !== undefined,
          broken: broken.motion,
          armed: room.watch.state().armed,
        },
        camera: { driver: devices.camera.driver, controllable: camera !== undefined, broken: broken.camera },
        lcd: { driver: devices.display.driver, cols: config.lcd.cols, rows: config.lcd.rows, lines },
        servers: catalogue.map((h) => {
          const sim = fleet?.get(h.name);
          const simulated = sim !== undefined && sim.port === h.port && sim.hostKeyFingerprint === h.hostKey;
          const st = simulated ? sim.state() : undefined;
          const r = results.get(h.name);
          return {
            name: h.name,
            address: h.address,
            port: h.port,
            simulated,
            up: st ? st.up : r ? r.reachable : true,
            diskPct: st?.diskPct ?? null,
            loadPerCore: st?.loadPerCore ?? null,
            memoryPct: st?.memoryPct ?? null,
            services: st?.services ?? {},
            lastCheck: r ? { ok: r.reachable, at: r.at, summary: summarize(r) } : null,
          };
        }),
      };
    },

    async act(req) {
      const device = req.device;
      const action = req.action;
      let done: PanelOutcome = {};
      switch (`${String(device)}:${String(action)}`) {
        case "climate:set": {
          const sensor = need(climate, "climate sensor");
          const temperatureC = numberIn(req.temperatureC, -40, 80, "Temperature (°C)", "temperature-range");
          const humidityPct = numberIn(req.humidityPct, 0, 100, "Humidity (%)", "humidity-range");
          if (temperatureC === undefined && humidityPct === undefined) {
            throw new PanelError("Give a temperature, a humidity, or both.", { code: "climate-empty" });
          }
          sensor.set({
            ...(temperatureC !== undefined ? { temperatureC } : {}),
            ...(humidityPct !== undefined ? { humidityPct } : {}),
          });
          held = true;
          const r = await room.roomStatus.sampleNow();
          if (r.ok) {
            const t = r.reading.temperatureC.toFixed(1);
            const h = r.reading.humidityPct.toFixed(0);
            done = outcome(`The sensor now reads ${t} °C, ${h} %.`, "climate-set", { t, h });
          } else {
            done = outcome("Values set; the sensor is broken, so no reading was taken.", "climate-set-broken");
          }
          break;
        }
        case "climate:release":
          need(climate, "climate sensor").release();
          held = false;
          done = outcome("The climate drifts naturally again.", "climate-release");
          break;
        case "climate:break":
          need(climate, "climate sensor").fail("timeout", Number.POSITIVE_INFINITY);
          broken.climate = true;
          await room.roomStatus.sampleNow();
          done = outcome(
            "The climate sensor stopped answering. After a few failed readings the console raises “sensor dead”.",
            "climate-break",
          );
          break;
        case "climate:repair":
          need(climate, "climate sensor").repair();
          broken.climate = false;
          await room.roomStatus.sampleNow();
          done = outcome("The climate sensor answers again.", "climate-repair");
          break;
        case "door:tap": {
          const r = need(reader, "card reader");
          const uid = typeof req.uid === "string" ? normalizeUid(req.uid.trim()) : undefined;
          if (!uid) {
            throw new PanelError(
              `"${String(req.uid ?? "")}" is not a card UID: 4, 7 or 10 bytes in hex, e.g. DE:AD:BE:EF or 04A1B2C3D4E5F6.`,
              { code: "card-uid", params: { uid: String(req.uid ?? "") } },
            );
          }
          if (broken.door) {
            throw new PanelError("The card reader is broken: repair it first.", { code: "reader-broken" });
          }
          const shown = formatCardUid(uid);
          done = r.tap(uid)
            ? outcome(`Card ${shown} tapped at the door.`, "door-tap", { uid: shown })
            : outcome(`The reader ignored ${shown}: the same card was tapped a moment ago.`, "door-tap-ignored", {
                uid: shown,
              });
          break;
        }
        case "door:break":
          need(reader, "card reader").kill("sim: the reader stopped answering (broken from the local panel)");
          broken.door = true;
          done = outcome("The card reader stopped answering.", "door-break");
          break;
        case "door:repair":
          need(reader, "card reader").revive();
          broken.door = false;
          done = outcome("The card reader answers again.", "door-repair");
          break;
        case "motion:trigger": {
          const m = need(motion, "motion sensor");
          if (broken.motion) {
            throw new PanelError("The motion sensor is broken: repair it first.", { code: "motion-broken" });
          }
          camera?.personEnters();
          const watched = room.watch.state().armed || !isWithinOfficeHours(clock.now(), config.officeHours);
          const moved = "Someone moves in the room (and walks into the camera's picture).";
          done = !m.trigger(0.8)
            ? outcome(
                "The motion sensor is in its cooldown; it ignored that. Try again in a few seconds.",
                "motion-cooldown",
              )
            : watched
              ? outcome(moved, "motion-trigger")
              : outcome(
                  `${moved} It is office hours and the watch is not armed, so that is only logged: /arm to be alerted.`,
                  "motion-trigger-logged",
                );
          break;
        }
        case "motion:break":
          need(motion, "motion sensor").kill("sim: the motion sensor stopped answering (broken from the local panel)");
          broken.motion = true;
          done = outcome("The motion sensor stopped answering.", "motion-break");
          break;
        case "motion:repair":
          need(motion, "motion sensor").revive();
          broken.motion = false;
          done = outcome("The motion sensor works again.", "motion-repair");
          break;
        case "camera:break":
          need(camera, "camera").unplug();
          broken.camera = true;
          done = outcome("The camera is unplugged: snapshots and clips fail until it is repaired.", "camera-break");
          break;
        case "camera:repair":
          need(camera, "camera").plug();
          broken.camera = false;
          done = outcome("The camera is plugged in again.", "camera-repair");
          break;
        default:
          if (device === "server") return serverAction(req);
          throw new PanelError(
            `Unknown panel action "${String(device)}/${String(action)}". Devices: climate (set, release, break, repair), ` +
              "door (tap, break, repair), motion (trigger, break, repair), camera (break, repair), server (down, up, ...).",
          );
      }
      changed();
      return done;
    },
  };
}

function summarize(r: HostResult): string {
  if (!r.reachable) return r.failure?.message ?? "unreachable";
  const parts: string[] = [];
  const { uptime, load } = r.checks;
  if (uptime?.ok) parts.push(`up ${Math.floor(uptime.value.seconds / 86_400)} d`);
  if (load?.ok) parts.push(`load ${(load.value.load1 / load.value.cores).toFixed(2)}/core`);
  return parts.join(", ") || "reachable";
}
