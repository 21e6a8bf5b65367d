/**
 * Edits of an incident's alert card in the staff group that do not come from a press of one
 * of its buttons: the dashboard's Acknowledge and Mute. The card is the message the group
 * channel recorded on the incident (`telegramMessageId`); it reads as it would after the
 * bot's own buttons: settled (no buttons, who acknowledged it), or muted (the mute line, the
 * calm row of buttons kept). Best effort: a card that cannot be edited is logged, never thrown.
 */
import type { Api } from "grammy";
import { alertKeyboard } from "../../bot/ui/keyboards.ts";
import { type EditOutcome, editCard } from "../../bot/ui/message-edits.ts";
import type { IncidentRepository } from "../../core/alerts/ports.ts";
import { type RenderContext, renderIncident, renderSettledCard, type Translate } from "../../core/alerts/render.ts";
import type { Incident } from "../../core/alerts/types.ts";
import type { Config } from "../../core/config.ts";
import type { Logger } from "../../core/logger.ts";

/** What became of a card edit: Telegram's outcome, "no-card" (none recorded, or no staff group), or "failed" (logged). */
export type CardEditOutcome = EditOutcome | "no-card" | "failed";

/** The incident's card in `chatId`, edited to its settled form (the same edit as the bot's Acknowledge button). */
export async function settleAlertCard(
  api: Api,
  chatId: number,
  incidents: Pick<IncidentRepository, "get">,
  ctx: RenderContext,
  incident: Incident,
  /** A message not to edit (the one just pressed: its handler edits it). */
  skip?: { chatId: number; messageId: number },
): Promise<EditOutcome | "no-card"> {
  // The engine's copy may not know the card: the channel records it in storage.
  const card = incident.telegramMessageId ?? (await incidents.get(incident.id))?.telegramMessageId;
  if (card === undefined) return "no-card";
  if (skip && skip.chatId === chatId && skip.messageId === card) return "no-card";
  return editCard(api, chatId, card, renderSettledCard(ctx, incident), {
    photo: incident.details.mediaId !== undefined,
  });
}

export interface AlertCardEditorOptions {
  api: Api;
  /** Translations in the group's language (DEFAULT_LOCALE). */
  t: Translate;
  config: Pick<Config, "telegram" | "officeHours" | "camera">;
  storage: { incidents: Pick<IncidentRepository, "get"> };
  clock: { now(): Date };
  logger?: Logger;
}

export interface AlertCardEditor {
  /** Acknowledged (or resolved) elsewhere: the card settles. */
  settled(incident: Incident): Promise<CardEditOutcome>;
  /** Muted elsewhere: the card shows the mute line and keeps its buttons. */
  muted(incident: Incident, mute: { name: string; until: number }): Promise<CardEditOutcome>;
}

export function createAlertCardEditor(opts: AlertCardEditorOptions): AlertCardEditor {
  const { api, t, config } = opts;
  const ctx = (): RenderContext => ({ t, timeZone: config.officeHours.timeZone, now: opts.clock.now().getTime() });
  async function run(incident: Incident, what: string, edit: (chat: number) => Promise<CardEditOutcome>) {
    const chat = config.telegram.staffChatId;
    if (chat === undefined) return "no-card" as const;
    try {
      return await edit(chat);
    } catch (err) {
      opts.logger?.warn(
        { err: (err as Error).message, incident: incident.id },
        `could not edit the alert card (${what})`,
      );
      return "failed" as const;
    }
  }
  return {
    settled(incident) {
      return run(incident, "settled", (chat) => settleAlertCard(api, chat, opts.storage.incidents, ctx(), incident));
    },
    muted(incident, mute) {
      return run(incident, "muted", async (chat) => {
        const card = incident.telegramMessageId ?? (await opts.storage.incidents.get(incident.id))?.telegramMessageId;
        if (card === undefined) return "no-card";
        const keyboard = alertKeyboard(t, incident.id, {
          clipSeconds: config.camera.clipSeconds,
          recorded: incident.rule === "room.motion",
        });
        return editCard(api, chat, card, renderIncident(ctx(), incident, mute), {
          keyboard,
          photo: incident.details.mediaId !== undefined,
        });
      });
    },
  };
}
