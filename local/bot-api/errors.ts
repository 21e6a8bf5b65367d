/**
 * A refusal as the Bot API words it: `{ ok: false, error_code, description, parameters? }`,
 * answered with `error_code` as the HTTP status (see http.ts). Error texts are Telegram's where
 * known, close paraphrases otherwise.
 */
import type { ResponseParameters } from "grammy/types";

export class ApiError extends Error {
  readonly code: number;
  readonly description: string;
  readonly parameters: ResponseParameters | undefined;
  constructor(code: number, description: string, parameters?: ResponseParameters) {
    super(description);
    this.code = code;
    this.description = description;
    this.parameters = parameters;
  }
}

export const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);
