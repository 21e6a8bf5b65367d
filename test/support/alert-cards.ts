/**
 * Helpers for the tests of alert messages and their buttons (the /alerts list and the staff
 * group's cards), through the console harness.
 */
import { inlineButtons, type RecordedMessage } from "../../local/bot-api/server.ts";
import { type ConsoleHarness, STAFF } from "./console-harness.ts";

const MIN = 60_000;

/** One reading through the room-status job and the alert engine, then a minute passes. */
export async function sample(h: ConsoleHarness, temperatureC: number, humidityPct = 45): Promise<void> {
  h.sensor.set({ temperatureC, humidityPct });
  await h.job.sampleNow();
  await h.alerts.engine.idle();
  h.clock.advance(MIN);
}

export const labels = (m: RecordedMessage | undefined) => inlineButtons(m).map((b) => b.text);

/** The message as it is now (edits included). */
export const current = (h: ConsoleHarness, m: RecordedMessage) =>
  h.api.messages(m.chat_id).find((x) => x.message_id === m.message_id) as RecordedMessage;

/** Waits until message `m` has been edited `n` times in all, and returns it. */
export const edited = (h: ConsoleHarness, m: RecordedMessage, n = 1) =>
  h.api.waitFor(() => {
    const now = current(h, m);
    return now.edits >= n ? now : undefined;
  });

/** Presses a button (by its text) as staff and returns the callback answer. */
export async function press(h: ConsoleHarness, m: RecordedMessage, text: string) {
  const answers = h.api.callbackAnswers.length;
  h.api.pressButton(STAFF, current(h, m), { text });
  return h.api.waitFor(() => h.api.callbackAnswers[answers]);
}
