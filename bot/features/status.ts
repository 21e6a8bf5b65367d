/**
 * /status: the room's latest climate reading with level, trend, age and thresholds,
 * and a Refresh button that takes a fresh sample and edits the message in place (and "Open
 * dashboard" when the dashboard is a Telegram Mini App: bot/features/web.ts). A sample
 * is quick with the simulator and usually with a DHT22, but a DHT22 retries (up to 3 times,
 * 3 s apart): a Refresh not done within ANSWER_WITHIN_MS is answered at once and finished
 * in the background, so the chat's other updates are not held up.
 */
import { Composer, GrammyError, type InlineKeyboard } from "grammy";
import { assess, trendOf } from "../../core/climate/assess.ts";
import type { Reading } from "../../core/climate/reading.ts";
import { ageParts, escapeHtml, formatDateTime, oneDecimal } from "../../core/text/format.ts";
import { inBackground } from "../background.ts";
import { ANSWER_WITHIN_MS, settlesWithin } from "../background-runner.ts";
import type { SeromaContext } from "../context.ts";
import { pressed } from "../ui/callback-data.ts";
import { statusKeyboard } from "../ui/keyboards.ts";
import { dashboardButton } from "./web.ts";

/** Readings considered for the trend. */
const TREND_WINDOW_MS = 15 * 60 * 1000;
/** How many readings to fetch to cover the trend window at the fastest sampling rate. */
const TREND_FETCH = 500;
/**
 * A Refresh always takes a fresh reading, unless the last one is younger than this: a DHT22
 * cannot be read more often than every 2 s (the kernel's driver hands back its last value).
 */
const RESAMPLE_AFTER_MS = 2_000;

/** Snapshot, Clip and Refresh; Open dashboard when the dashboard is a Mini App (bot/features/web.ts). */
function keyboard(ctx: SeromaContext): InlineKeyboard {
  return statusKeyboard(ctx.t, ctx.services.config.camera.clipSeconds, dashboardButton(ctx));
}

/** Renders the status message body (HTML). */
export async function renderStatus(ctx: SeromaContext, sensorProblem?: string): Promise<string> {
  const { config, storage, clock, climate } = ctx.services;
  const fetch = Math.min(TREND_FETCH, Math.ceil(TREND_WINDOW_MS / 1000 / config.sampling.intervalSeconds) + 2);
  const recent: Reading[] = await storage.readings.latest(config.roomId, fetch);
  const lines = [ctx.t("status-title", { room: escapeHtml(config.roomId) }), ""];
  const latest = recent[0];
  const t = config.thresholds;
  if (!latest) {
    lines.push(ctx.t("status-no-readings", { interval: String(config.sampling.intervalSeconds) }));
  } else {
    const trendOpts = { windowMs: TREND_WINDOW_MS };
    const tTrend = trendOf(recent, (r) => r.temperatureC, { ...trendOpts, epsilon: 0.3 });
    const hTrend = trendOf(recent, (r) => r.humidityPct, { ...trendOpts, epsilon: 2 });
    lines.push(
      ctx.t("status-temperature", {
        value: oneDecimal(latest.temperatureC),
        level: ctx.t(`status-level-${assess(latest.temperatureC, t.temperatureC).level}`),
        trend: ctx.t(`status-trend-${tTrend}`),
      }),
      ctx.t("status-humidity", {
        value: oneDecimal(latest.humidityPct),
        level: ctx.t(`status-level-${assess(latest.humidityPct, t.humidityPct).level}`),
        trend: ctx.t(`status-trend-${hTrend}`),
      }),
      "",
    );
    const ageMs = clock.now().getTime() - latest.at;
    const age = ageParts(ageMs);
    const driverKey = `status-driver-${climate.driver}`;
    lines.push(
      ctx.t("status-taken", {
        age: ctx.t(age.key, { n: String(age.n) }),
        time: escapeHtml(formatDateTime(latest.at, config.officeHours.timeZone)),
        driver: escapeHtml(ctx.t(driverKey) === driverKey ? climate.driver : ctx.t(driverKey)),
      }),
    );
    // Stale: more than three sampling intervals without a new reading.
    if (ageMs > 3 * config.sampling.intervalSeconds * 1000) {
      lines.push(ctx.t("status-stale", { age: ctx.t(age.key, { n: String(age.n) }) }));
    }
  }
  if (sensorProblem) lines.push(ctx.t("status-sensor-failing", { reason: escapeHtml(sensorProblem) }));
  lines.push(
    ctx.t("status-thresholds", {
      tmin: oneDecimal(t.temperatureC.warn.min),
      tmax: oneDecimal(t.temperatureC.warn.max),
      tcmin: oneDecimal(t.temperatureC.critical.min),
      tcmax: oneDecimal(t.temperatureC.critical.max),
      hmin: oneDecimal(t.humidityPct.warn.min),
      hmax: oneDecimal(t.humidityPct.warn.max),
      hcmin: oneDecimal(t.humidityPct.critical.min),
      hcmax: oneDecimal(t.humidityPct.critical.max),
    }),
  );
  return lines.join("\n");
}

export async function sendStatus(ctx: SeromaContext): Promise<void> {
  await ctx.reply(await renderStatus(ctx), { parse_mode: "HTML", reply_markup: keyboard(ctx) });
}

export const statusFeature = new Composer<SeromaContext>();

statusFeature.command("status", sendStatus);

/** Edits the status message in place; false if nothing changed. */
async function editStatus(ctx: SeromaContext, problem: string | undefined): Promise<boolean> {
  const text = await renderStatus(ctx, problem);
  try {
    await ctx.editMessageText(text, { parse_mode: "HTML", reply_markup: keyboard(ctx) });
    return true;
  } catch (err) {
    if (err instanceof GrammyError && err.description.includes("message is not modified")) return false;
    throw err;
  }
}

statusFeature.filter(pressed("status-refresh"), async (ctx) => {
  const { config, storage, clock, climate } = ctx.services;
  const [latest] = await storage.readings.latest(config.roomId, 1);
  const sample = !latest || clock.now().getTime() - latest.at >= RESAMPLE_AFTER_MS ? climate.sampleNow() : undefined;
  if (sample && !(await settlesWithin(sample, ANSWER_WITHIN_MS))) {
    await inBackground(
      ctx,
      "status-refresh",
      async (work) => {
        const outcome = await work.wait(sample);
        await editStatus(ctx, outcome.ok ? undefined : outcome.message);
      },
      { toast: ctx.t("status-sampling") },
    );
    return;
  }
  const outcome = sample ? await sample : undefined;
  await editStatus(ctx, outcome && !outcome.ok ? outcome.message : undefined);
  // Always say what the message now shows: a fresh reading, or why there is none, with its age.
  const [shown] = await storage.readings.latest(config.roomId, 1);
  const age = shown ? ageParts(clock.now().getTime() - shown.at) : undefined;
  const ageText = age ? ctx.t(age.key, { n: age.n }) : "";
  let toast: string;
  if (outcome && !outcome.ok) toast = ctx.t("status-refresh-failed", { age: ageText });
  else if (outcome?.ok) toast = ctx.t("status-refreshed", { age: ageText });
  else toast = ctx.t("status-unchanged", { age: ageText, seconds: RESAMPLE_AFTER_MS / 1000 });
  await ctx.answerCallbackQuery({ text: toast });
});
