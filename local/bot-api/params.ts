/**
 * A method's parameters, as Telegram reads them: the query string, then the body (JSON,
 * urlencoded or multipart/form-data; uploads become `UploadedFile`s, `attach://name` points at
 * one), with the fields that carry JSON (reply_markup, entities, media...) decoded; and the
 * small readers the methods share (integers, booleans).
 */
import type http from "node:http";
import { badRequest } from "./errors.ts";
import { parseMultipart } from "./multipart.ts";
import type { UploadedFile } from "./types.ts";

export type Params = Record<string, unknown>;

/** Fields sent as JSON text in urlencoded and multipart bodies. */
const JSON_FIELDS = new Set([
  "reply_markup",
  "entities",
  "caption_entities",
  "allowed_updates",
  "commands",
  "scope",
  "media",
  "reply_parameters",
  "link_preview_options",
  "menu_button",
  "message_ids",
]);

export function parseParams(
  req: http.IncomingMessage,
  url: URL,
  body: Buffer,
): { params: Params; files: Map<string, UploadedFile> } {
  const params: Params = {};
  const files = new Map<string, UploadedFile>();
  for (const [k, v] of url.searchParams) setParam(params, k, v);

  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (body.length > 0) {
    if (type.startsWith("application/json")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        throw badRequest("can't parse JSON object");
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw badRequest("can't parse JSON object");
      }
      for (const [k, v] of Object.entries(parsed)) setParam(params, k, v);
    } else if (type.startsWith("multipart/form-data")) {
      const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers["content-type"] ?? "");
      if (!boundary) throw badRequest("can't parse multipart/form-data: no boundary");
      for (const part of parseMultipart(body, (boundary[1] ?? boundary[2]) as string)) {
        if (part.filename !== undefined) {
          const file: UploadedFile = {
            filename: part.filename,
            mime: part.contentType ?? "application/octet-stream",
            bytes: part.data,
          };
          files.set(part.name, file);
          setParam(params, part.name, file);
        } else {
          setParam(params, part.name, part.data.toString("utf8"));
        }
      }
    } else {
      for (const [k, v] of new URLSearchParams(body.toString("utf8"))) setParam(params, k, v);
    }
  }

  for (const [k, v] of Object.entries(params)) {
    if (typeof v !== "string") continue;
    if (JSON_FIELDS.has(k)) {
      try {
        setParam(params, k, JSON.parse(v));
      } catch {
        throw badRequest(
          k === "reply_markup" ? "can't parse reply keyboard markup JSON object" : `can't parse ${k} JSON object`,
        );
      }
    } else if (v.startsWith("attach://")) {
      const file = files.get(v.slice("attach://".length));
      if (file) setParam(params, k, file);
    }
  }
  return { params, files };
}

/**
 * Sets a field as the params' own property, whatever its name: a field called `__proto__`
 * (`params[k] = v` or Object.assign would call Object.prototype's setter and give the params a
 * prototype of the sender's choosing) is just a field no method reads.
 */
function setParam(params: Params, name: string, value: unknown): void {
  Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
}

export function isUploadedFile(v: unknown): v is UploadedFile {
  return typeof v === "object" && v !== null && Buffer.isBuffer((v as UploadedFile).bytes);
}

/** The params with each upload shown as { filename, mime, size } instead of its bytes. */
export function withoutUploadBytes(params: Record<string, unknown>): Record<string, unknown> {
  if (!Object.values(params).some(isUploadedFile)) return params;
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) =>
      isUploadedFile(v) ? [k, { filename: v.filename, mime: v.mime, size: v.bytes.length }] : [k, v],
    ),
  );
}

export function truthy(v: unknown): boolean {
  return v === true || v === "true" || v === "1" || v === 1;
}

export function intParam(p: Params, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  throw badRequest(`invalid ${name} specified`);
}
