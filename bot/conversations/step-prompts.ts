/**
 * A conversation's prompts that carry buttons (Cancel, a role, Trust, Save) lose them once
 * their step is over: when the next prompt is sent, and when the conversation ends, however
 * it ends. Old buttons left under a finished step invite presses that can only be refused.
 */
import type { Message } from "grammy/types";
import type { SeromaContext } from "../context.ts";

type ReplyOptions = Parameters<SeromaContext["reply"]>[1];

export interface StepPrompts {
  /** Sends a prompt; the previous prompt's buttons are removed first. */
  reply(text: string, options?: ReplyOptions): Promise<Message.TextMessage>;
  /** Removes the buttons of the last prompt that had some. */
  close(): Promise<void>;
}

export function stepPrompts(ctx: SeromaContext): StepPrompts {
  let open: { chatId: number; messageId: number } | undefined;
  const close = async () => {
    const prompt = open;
    open = undefined;
    if (!prompt) return;
    try {
      await ctx.api.editMessageReplyMarkup(prompt.chatId, prompt.messageId);
    } catch (err) {
      // Deleted meanwhile, or already without buttons: nothing to remove.
      ctx.log.debug({ err: err instanceof Error ? err.message : String(err) }, "could not remove a step's buttons");
    }
  };
  return {
    async reply(text, options) {
      await close();
      const sent = await ctx.reply(text, options);
      if (options?.reply_markup && "inline_keyboard" in options.reply_markup) {
        open = { chatId: sent.chat.id, messageId: sent.message_id };
      }
      return sent;
    },
    close,
  };
}
