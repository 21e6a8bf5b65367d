/**
 * The AWS SNS alert channel: publishes one alert notice to an SNS topic.
 *
 *   const sns = createSnsChannel({ topicArn: "arn:aws:sns:eu-west-1:123456789012:seroma-alerts" });
 *   const r = await sns.send({ subject, message, severity: "critical", roomId: "dc1", dedupId: alert.id });
 *   if (!r.ok && r.retryable) outbox.retryLater(r.retryAfterMs);
 *   sns.close();
 *
 * - Uses the real `@aws-sdk/client-sns` PublishCommand. Without `client`, it builds an SNSClient
 *   with credentials from the standard AWS chain and the region from `region`, else the topic
 *   ARN's region (a topic can only be published to in its own region), else the chain.
 *   `endpoint` points the client elsewhere (LocalStack, the test server).
 * - `send` never throws. Every failure is `{ ok: false, retryable, error }` with a one-line
 *   error that says what to do. Retryable: network errors, timeouts, 5xx, throttling (with
 *   `retryAfterMs` when the response said so). Not retryable: authorization, missing topic,
 *   invalid parameters, missing/invalid credentials, KMS configuration errors, other 4xx.
 * - SNS rules are enforced before sending: the Subject is made ASCII printable (transliterated,
 *   "°C" -> "C"), one line, at most 99 characters (AWS: "less than 100"), truncated with "...";
 *   the message is at most 256 KB including the message attributes, truncated on a UTF-8
 *   boundary with a marker. MessageAttributes `severity` and `room` (String) are added. FIFO
 *   topics (ARN ending in `.fifo`) get MessageGroupId = roomId and MessageDeduplicationId =
 *   dedupId (hashed when they would break SNS's 128-character rule).
 * - Each send is bounded by `timeoutMs` (default 10 s) across the SDK's own attempts: the
 *   request is aborted and `send` resolves with a retryable timeout. The SDK retries at most
 *   once (maxAttempts 2), since the alert outbox retries durably.
 * - `close()` aborts sends in flight (they resolve retryable), makes later sends fail
 *   (not retryable) and destroys the SNSClient if the channel created it (a given client is
 *   the caller's to destroy).
 */
import { createHash } from "node:crypto";
import { type MessageAttributeValue, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { toAscii } from "../../core/text/transliterate.ts";

export interface SnsNotice {
  subject: string;
  message: string;
  severity: "info" | "warning" | "critical";
  roomId: string;
  dedupId: string;
}

export type ChannelResult =
  | { ok: true; ref?: string }
  | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

export interface SnsChannel {
  readonly name: "sns";
  send(n: SnsNotice): Promise<ChannelResult>;
  close(): void;
}

export interface SnsChannelOptions {
  topicArn: string;
  client?: SNSClient;
  region?: string;
  endpoint?: string;
  timeoutMs?: number;
}

/** SNS: "less than 100 characters". */
export const SNS_SUBJECT_MAX = 99;
/** SNS: 256 KB (262,144 bytes), message attributes included. */
export const SNS_MESSAGE_MAX_BYTES = 262_144;
const FIFO_ID_MAX = 128;
const DEFAULT_TIMEOUT_MS = 10_000;
const TOPIC_ARN_RE = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;

export function createSnsChannel(opts: SnsChannelOptions): SnsChannel {
  const topicArn = opts.topicArn.trim();
  const arnMatch = TOPIC_ARN_RE.exec(topicArn);
  const fifo = topicArn.endsWith(".fifo");
  const timeoutMs = opts.timeoutMs !== undefined && opts.timeoutMs > 0 ? opts.timeoutMs : DEFAULT_TIMEOUT_MS;
  const ownsClient = opts.client === undefined;
  let client: SNSClient | undefined = opts.client;
  let closed = false;
  const inFlight = new Set<AbortController>();

  function getClient(): SNSClient {
    if (client) return client;
    const region = opts.region ?? arnMatch?.[1];
    client = new SNSClient({
      ...(region ? { region } : {}),
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      maxAttempts: 2,
      requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
    });
    return client;
  }

  async function send(n: SnsNotice): Promise<ChannelResult> {
    if (closed) return { ok: false, retryable: false, error: "SNS channel is closed" };
    if (!arnMatch) {
      return {
        ok: false,
        retryable: false,
        error: `SNS topic ARN "${topicArn}" is not valid — expected arn:aws:sns:<region>:<account-id>:<topic-name>`,
      };
    }
    let command: PublishCommand;
    let sns: SNSClient;
    try {
      command = new PublishCommand(buildPublishInput(topicArn, fifo, n));
      sns = getClient();
    } catch (err) {
      return { ok: false, retryable: false, error: `SNS client could not be set up: ${oneLine(errorText(err))}` };
    }

    const controller = new AbortController();
    inFlight.add(controller);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    try {
      const outcome = await Promise.race([
        sns.send(command, { abortSignal: controller.signal }).then(
          (out) => ({ out }),
          (err: unknown) => ({ err }),
        ),
        timedOut,
      ]);
      if (outcome === "timeout") {
        controller.abort();
        return { ok: false, retryable: true, error: `SNS publish timed out after ${timeoutMs} ms (${topicArn})` };
      }
      if ("err" in outcome) {
        if (controller.signal.aborted && closed) {
          return { ok: false, retryable: true, error: "SNS publish aborted: the channel was closed" };
        }
        return classifySnsError(outcome.err, topicArn);
      }
      return outcome.out.MessageId ? { ok: true, ref: outcome.out.MessageId } : { ok: true };
    } catch (err) {
      return classifySnsError(err, topicArn);
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
  }

  return {
    name: "sns",
    send,
    close() {
      if (closed) return;
      closed = true;
      for (const c of inFlight) c.abort();
      inFlight.clear();
      if (ownsClient && client) {
        try {
          client.destroy();
        } catch {
          // nothing useful to do while shutting down
        }
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Building the request

function buildPublishInput(topicArn: string, fifo: boolean, n: SnsNotice) {
  const attributes: Record<string, MessageAttributeValue> = {};
  let attributeBytes = 0;
  for (const [name, raw] of [
    ["severity", n.severity],
    ["room", n.roomId],
  ] as const) {
    const value = wellFormed(String(raw ?? "")).trim();
    if (!value) continue; // SNS refuses empty attribute values
    attributes[name] = { DataType: "String", StringValue: value };
    attributeBytes += Buffer.byteLength(name) + Buffer.byteLength("String") + Buffer.byteLength(value);
  }
  const subject = sanitizeSubject(n.subject, `Seroma ${n.severity} alert${n.roomId ? ` (${n.roomId})` : ""}`);
  let message = sanitizeMessage(n.message);
  if (!message.trim()) message = subject;
  message = truncateUtf8(message, SNS_MESSAGE_MAX_BYTES - attributeBytes);
  return {
    TopicArn: topicArn,
    Subject: subject,
    Message: message,
    ...(Object.keys(attributes).length ? { MessageAttributes: attributes } : {}),
    ...(fifo
      ? {
          MessageGroupId: fifoId(n.roomId, "default"),
          MessageDeduplicationId: fifoId(n.dedupId, sha256(`${subject}\n${message}`)),
        }
      : {}),
  };
}

/**
 * An SNS-valid Subject: ASCII printable only (transliterated where there is an obvious ASCII
 * form, see core/text/transliterate.ts; dropped otherwise), one line, whitespace collapsed,
 * at most 99 characters (cut at a word boundary when one is near, with "..."). Falls back
 * to `fallback` when nothing is left.
 */
export function sanitizeSubject(subject: string, fallback = "Seroma alert"): string {
  const ascii = toAscii(wellFormed(String(subject ?? "")))
    .replace(/[^\x20-\x7e]+/g, " ")
    .replace(/ {2,}/g, " ")
    .trim();
  const text =
    ascii ||
    toAscii(fallback)
      .replace(/[^\x20-\x7e]+/g, " ")
      .trim() ||
    "Seroma alert";
  if (text.length <= SNS_SUBJECT_MAX) return text;
  const room = SNS_SUBJECT_MAX - 3;
  let cut = text.slice(0, room);
  const space = cut.lastIndexOf(" ");
  if (space >= room - 20) cut = cut.slice(0, space);
  return `${cut.trimEnd()}...`;
}

/** Well-formed UTF-8 text without control characters other than tab, LF and CR. */
function sanitizeMessage(message: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return wellFormed(String(message ?? "")).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, "");
}

/** Lone surrogates become U+FFFD, as UTF-8 encoding would do anyway. */
function wellFormed(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}

/**
 * `s` if it fits in `maxBytes` of UTF-8, else as much of it as fits, cut on a character
 * boundary, followed by a marker saying how much was dropped (the result fits in `maxBytes`).
 */
export function truncateUtf8(s: string, maxBytes: number): string {
  const bytes = Buffer.from(s, "utf8");
  if (bytes.length <= maxBytes) return s;
  const marker = (dropped: number) => `\n... [truncated ${dropped} bytes]`;
  // the marker's length depends on the number dropped: reserve for the worst case
  let cut = Math.max(0, maxBytes - Buffer.byteLength(marker(bytes.length)));
  // step back off UTF-8 continuation bytes (10xxxxxx) so no character is split
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut).toString("utf8") + marker(bytes.length - cut);
}

/** A FIFO group/dedup id: 1-128 chars of ASCII punctuation and alphanumerics. */
function fifoId(raw: string, fallback: string): string {
  const id = String(raw ?? "").trim();
  if (!id) return fallback;
  if (id.length <= FIFO_ID_MAX && /^[\x21-\x7e]+$/.test(id)) return id;
  const ascii = id.replace(/[^\x21-\x7e]/g, "_");
  // keep ids distinct: a cleaned-up id gets a hash suffix, so "a b" and "a_b" differ
  const suffix = sha256(id).slice(0, 16);
  return `${ascii.slice(0, FIFO_ID_MAX - suffix.length - 1)}-${suffix}`;
}

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

// ---------------------------------------------------------------------------------------------
// Classifying failures

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_STREAM_PREMATURE_CLOSE",
]);
const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "Throttled",
  "ThrottledException",
  "KMSThrottling",
  "KMSThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
]);
const SERVER_CODES = new Set([
  "InternalError",
  "InternalErrorException",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
]);
const AUTH_CODES = new Set([
  "AuthorizationError",
  "AuthorizationErrorException",
  "AccessDenied",
  "AccessDeniedException",
  "InvalidSecurity",
  "InvalidSecurityException",
]);
const CREDENTIAL_CODES = new Set([
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "UnrecognizedClientException",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "InvalidAccessKeyId",
]);
const NOT_FOUND_CODES = new Set(["NotFound", "NotFoundException", "ResourceNotFound", "ResourceNotFoundException"]);
const PARAMETER_CODES = new Set([
  "InvalidParameter",
  "InvalidParameterException",
  "InvalidParameterValue",
  "InvalidParameterValueException",
  "ParameterValueInvalid",
  "ValidationError",
  "ValidationException",
  "MalformedQueryString",
  "InvalidQueryParameter",
  "MissingParameter",
]);
const KMS_CONFIG_CODES = new Set([
  "KMSAccessDenied",
  "KMSAccessDeniedException",
  "KMSDisabled",
  "KMSDisabledException",
  "KMSInvalidState",
  "KMSInvalidStateException",
  "KMSNotFound",
  "KMSNotFoundException",
  "KMSOptInRequired",
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  Code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, unknown> };
}

/** Turns anything the SDK throws into a ChannelResult (exported for the outbox's tests). */
export function classifySnsError(err: unknown, topicArn: string): ChannelResult & { ok: false } {
  const e = (typeof err === "object" && err !== null ? err : {}) as ErrorLike;
  const name = typeof e.name === "string" ? e.name : "";
  const code = typeof e.Code === "string" && e.Code ? e.Code : name;
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  const detail = oneLine(errorText(err));
  const label = `${code || "Error"}${status ? ` (HTTP ${status})` : ""}: ${detail}`;
  const fail = (retryable: boolean, error: string, retryAfterMs?: number): ChannelResult & { ok: false } =>
    retryAfterMs !== undefined ? { ok: false, retryable, error, retryAfterMs } : { ok: false, retryable, error };

  if (name === "AbortError" || code === "AbortError") {
    return fail(true, `SNS publish aborted: ${detail}`);
  }
  // the SDK renames socket errors (ECONNRESET...) to TimeoutError: look at the code first
  const netCode = findNetworkCode(err);
  if (netCode && status === undefined) {
    return fail(true, `SNS unreachable (${netCode}): ${detail} — retrying later`);
  }
  if (name === "TimeoutError" || code === "TimeoutError" || /timed? ?out/i.test(name)) {
    return fail(true, `SNS publish timed out (network): ${detail} — retrying later`);
  }
  if (name === "CredentialsProviderError" || /credential/i.test(name)) {
    return fail(
      false,
      `SNS: no usable AWS credentials: ${detail} — set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role`,
    );
  }
  if (THROTTLING_CODES.has(code) || status === 429) {
    return fail(true, `SNS throttled the publish: ${label} — retrying later`, retryAfterFrom(e));
  }
  if (code === "ExpiredToken" || code === "ExpiredTokenException" || code === "RequestExpired") {
    // temporary credentials are refreshed by the provider chain; a clock far off also shows here
    return fail(true, `SNS refused expired credentials: ${label} — retrying with fresh credentials (check the clock)`);
  }
  if (AUTH_CODES.has(code)) {
    return fail(false, `SNS refused: ${label} — check the IAM policy allows sns:Publish on ${topicArn}`);
  }
  if (CREDENTIAL_CODES.has(code)) {
    return fail(false, `SNS rejected the AWS credentials: ${label} — check the access key id and secret`);
  }
  if (NOT_FOUND_CODES.has(code)) {
    return fail(false, `SNS topic not found: ${label} — check the topic ARN ${topicArn} and its region`);
  }
  if (PARAMETER_CODES.has(code)) {
    return fail(false, `SNS refused the message: ${label}`);
  }
  if (KMS_CONFIG_CODES.has(code)) {
    return fail(
      false,
      `SNS could not use the topic's KMS key: ${label} — check the key policy and that the key is enabled`,
    );
  }
  if (SERVER_CODES.has(code) || (status !== undefined && status >= 500) || e.$fault === "server") {
    return fail(true, `SNS server error: ${label} — retrying later`, retryAfterFrom(e));
  }
  if (status !== undefined && status >= 400) {
    return fail(false, `SNS refused: ${label}`);
  }
  if (netCode) return fail(true, `SNS unreachable (${netCode}): ${detail} — retrying later`);
  // no HTTP status and nothing recognisable: most likely transport trouble, so try again later
  return fail(true, `SNS publish failed: ${code ? `${code}: ` : ""}${detail}`);
}

function findNetworkCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && typeof cur === "object" && cur !== null; depth++) {
    const c = (cur as ErrorLike).code;
    if (typeof c === "string" && NETWORK_CODES.has(c)) return c;
    const msg = (cur as ErrorLike).message;
    if (typeof msg === "string" && /socket hang up/i.test(msg)) return "ECONNRESET";
    cur = (cur as ErrorLike).cause;
  }
  return undefined;
}

function retryAfterFrom(e: ErrorLike): number | undefined {
  const headers = e.$response?.headers;
  if (!headers) return undefined;
  for (const [key, raw] of Object.entries(headers)) {
    const value = String(raw ?? "").trim();
    const k = key.toLowerCase();
    if (k === "x-amz-retry-after" && /^\d+$/.test(value)) return Number(value);
    if (k === "retry-after") {
      if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
      const at = Date.parse(value);
      if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
    }
  }
  return undefined;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === "object" && err !== null) {
    const m = (err as ErrorLike).message;
    if (typeof m === "string" && m) return m;
  }
  return String(err);
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
