/**
 * A local AWS SNS endpoint for tests: a real HTTP server on 127.0.0.1 (node:http only) that the
 * real `@aws-sdk/client-sns` SNSClient publishes to.
 *
 *   const sns = await startSnsServer({ topics: ["arn:aws:sns:us-east-1:123456789012:alerts"] });
 *   const client = new SNSClient({ endpoint: sns.url, region: "us-east-1",
 *     credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } });
 *   await client.send(new PublishCommand({ TopicArn: ..., Message: "hi" }));
 *   const p = await sns.waitFor(() => sns.published[0]);
 *   await sns.close();
 *
 * ## Wire protocol (as @aws-sdk/client-sns 3.x speaks it: AWS Query, API version 2010-03-31)
 * - Request: `POST /`, `Content-Type: application/x-www-form-urlencoded`, body
 *   `Action=Publish&Version=2010-03-31&TopicArn=...&Message=...&Subject=...`
 *   `&MessageAttributes.entry.N.Name=...&MessageAttributes.entry.N.Value.DataType=String`
 *   `&MessageAttributes.entry.N.Value.StringValue=...&MessageGroupId=...&MessageDeduplicationId=...`,
 *   signed with SigV4 (`Authorization: AWS4-HMAC-SHA256 Credential=...`). The header must be
 *   there (else 403 MissingAuthenticationToken); the signature is not verified.
 * - Success: 200 `text/xml` `<PublishResponse><PublishResult><MessageId>` (+ `<SequenceNumber>`
 *   for FIFO topics) `</PublishResult><ResponseMetadata><RequestId>`, header `x-amzn-RequestId`.
 * - Errors: `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>..</Code><Message>..`
 *   `</Message></Error><RequestId>..</RequestId></ErrorResponse>` with the HTTP status AWS uses
 *   (AuthorizationError 403, NotFound 404, InvalidParameter 400, Throttled 429, InternalError 500).
 *   The SDK maps the Code to its exception class (AuthorizationErrorException, NotFoundException...).
 *
 * ## SNS behaviour reproduced
 * - `Publish`, and `CreateTopic` (idempotent by name; the ARN's region is the signature's, the
 *   account 123456789012; the topic is added to `topics`); other actions: 400 InvalidAction.
 *   Missing Message: 400 ValidationError.
 *   Malformed TopicArn, a Subject that is not ASCII printable / has line breaks / is 100+
 *   characters, a message over 256 KB (attributes included), bad attribute types or empty values:
 *   400 InvalidParameter / ParameterValueInvalid with AWS's wording.
 * - `topics` given: publishing to any other topic is 404 NotFound "Topic does not exist".
 * - FIFO topics (`.fifo`): MessageGroupId required; MessageDeduplicationId required (content-based
 *   deduplication is off); a dedup id seen within 5 minutes is accepted with the first message's
 *   MessageId and not delivered again (not added to `published`), as SNS does. Standard topics
 *   refuse MessageDeduplicationId.
 *
 * ## Observing and faults
 * - `published`: every delivered message `{ topicArn, subject?, message, attributes, groupId?,
 *   dedupId?, messageId, at }` (attributes: name -> StringValue, base64 for Binary).
 *   `requests`: the number of HTTP requests received (SDK retries count).
 * - `failNext(code, status, message?, times = 1, headers?)`: the next `times` Publish requests are
 *   answered with that AWS error (Type Sender below 500, Receiver from 500). Note the SDK's own
 *   retries (maxAttempts) consume failures too (the SDK retries throttling and 5xx, not other
 *   4xx). `headers` e.g. `{ "Retry-After": "3" }`. `resetFaults()` drops what is left and clears
 *   setDown / setLatency.
 * - `setDown(true)`: open connections are destroyed and new ones are reset as soon as they are
 *   accepted (the client sees ECONNRESET / socket hang up: a network error). `setDown(false)`
 *   heals it.
 * - `setLatency(ms)`: every response (errors included) is held back `ms` first.
 * - `waitFor(probe, timeoutMs = 5000)` resolves with the first truthy value `probe()` returns
 *   (checked at once, after every request, and every 20 ms); rejects on timeout or if it throws.
 * - `close()` drops every connection (held responses included) and stops listening.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
  attributes: Record<string, string>;
  groupId?: string;
  dedupId?: string;
  messageId: string;
  at: number;
}

export interface SnsServer {
  /** e.g. `http://127.0.0.1:41234` — pass as the SNSClient `endpoint`. */
  readonly url: string;
  readonly published: PublishedMessage[];
  /** Topic ARNs CreateTopic answered, in order. */
  readonly created: readonly string[];
  /** HTTP requests received so far. */
  readonly requests: number;
  failNext(code: string, status: number, message?: string, times?: number, headers?: Record<string, string>): void;
  setDown(down: boolean): void;
  setLatency(ms: number): void;
  /** Drops queued failNext failures and clears setDown/setLatency. */
  resetFaults(): void;
  waitFor<T>(
    probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    timeoutMs?: number,
  ): Promise<T>;
  close(): Promise<void>;
}

interface Failure {
  code: string;
  status: number;
  message: string;
  times: number;
  headers: Record<string, string>;
}

class SnsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(code: string, status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.headers = headers;
  }
}

const XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_MESSAGE_BYTES = 262_144;
const DEDUP_WINDOW_MS = 5 * 60_000;
const TOPIC_ARN_RE = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const ATTRIBUTE_NAME_RE = /^[A-Za-z0-9_.-]{1,256}$/;
const FIFO_ID_RE = /^[\x21-\x7e]{1,128}$/;

export async function startSnsServer(opts: { topics?: string[] } = {}): Promise<SnsServer> {
  const topics = opts.topics ? new Set(opts.topics) : undefined;
  const published: PublishedMessage[] = [];
  /** ARNs returned by CreateTopic, in order (repeats included). */
  const created: string[] = [];
  const failures: Failure[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  const dedup = new Map<string, { messageId: string; sequence: string; at: number }>();
  let requests = 0;
  let down = false;
  let latencyMs = 0;
  let sequence = 10_000_000_000_000_000n;

  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const server = createServer((req, res) => {
    requests++;
    void handle(req, res).finally(notify);
  });
  server.on("connection", (socket) => {
    if (down) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let reply: { status: number; body: string; headers?: Record<string, string> };
    try {
      const body = await readBody(req);
      if (down) {
        req.socket.destroy();
        return;
      }
      reply = { status: 200, body: answer(req, body, requestId) };
    } catch (err) {
      if (err instanceof SnsError) {
        reply = {
          status: err.status,
          body: errorXml(err.code, err.status, err.message, requestId),
          headers: err.headers,
        };
      } else {
        reply = { status: 500, body: errorXml("InternalError", 500, String(err), requestId) };
      }
    }
    if (latencyMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, latencyMs);
        timers.add(t);
      });
    }
    if (down || res.destroyed || req.socket.destroyed) {
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.status, {
      "content-type": "text/xml",
      "x-amzn-requestid": requestId,
      "content-length": String(Buffer.byteLength(reply.body)),
      ...reply.headers,
    });
    res.end(reply.body);
  }

  /** Validates and performs one request; returns the success XML or throws SnsError. */
  function answer(req: IncomingMessage, body: string, requestId: string): string {
    if (req.method !== "POST") throw new SnsError("InvalidAction", 400, "Only POST is supported by this endpoint");
    const auth = req.headers.authorization ?? "";
    if (!/^AWS4-HMAC-SHA256 Credential=[^/\s]+\/\d{8}\/[a-z0-9-]+\/sns\/aws4_request/.test(auth)) {
      throw new SnsError(
        "MissingAuthenticationToken",
        403,
        auth ? "Authorization header is not a SigV4 signature for sns" : "Request is missing Authentication Token",
      );
    }
    const params = new URLSearchParams(body);
    const action = params.get("Action");
    if (action === "CreateTopic") return createTopic(params, auth, requestId);
    if (action !== "Publish") {
      throw new SnsError("InvalidAction", 400, `The action ${action ?? "(none)"} is not valid for this endpoint.`);
    }
    if (params.get("Version") !== "2010-03-31") {
      throw new SnsError("InvalidParameterValue", 400, "Invalid API version");
    }

    const failure = failures[0];
    if (failure) {
      failure.times--;
      if (failure.times <= 0) failures.shift();
      throw new SnsError(failure.code, failure.status, failure.message, failure.headers);
    }

    const topicArn = params.get("TopicArn") ?? params.get("TargetArn");
    if (!topicArn) {
      throw new SnsError(
        "InvalidParameter",
        400,
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
      );
    }
    if (!TOPIC_ARN_RE.test(topicArn)) throw new SnsError("InvalidParameter", 400, "Invalid parameter: TopicArn");
    const message = params.get("Message");
    if (message === null) {
      throw new SnsError(
        "ValidationError",
        400,
        "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null",
      );
    }
    if (message === "") throw new SnsError("InvalidParameter", 400, "Invalid parameter: Empty message");
    const subject = params.get("Subject") ?? undefined;
    if (subject !== undefined) {
      if (subject === "" || subject.length >= 100 || !/^[\x20-\x7e]+$/.test(subject) || /^\s/.test(subject)) {
        throw new SnsError("InvalidParameter", 400, "Invalid parameter: Subject");
      }
    }

    const attributes: Record<string, string> = {};
    let attributeBytes = 0;
    for (let i = 1; params.has(`MessageAttributes.entry.${i}.Name`); i++) {
      const prefix = `MessageAttributes.entry.${i}`;
      const name = params.get(`${prefix}.Name`) ?? "";
      const type = params.get(`${prefix}.Value.DataType`) ?? "";
      const str = params.get(`${prefix}.Value.StringValue`);
      const bin = params.get(`${prefix}.Value.BinaryValue`);
      if (!ATTRIBUTE_NAME_RE.test(name) || name.startsWith("AWS.") || name.startsWith("Amazon.")) {
        throw new SnsError("InvalidParameterValue", 400, `The message attribute name '${name}' is invalid.`);
      }
      if (!/^(String|Number|Binary)(\..+)?$|^String\.Array$/.test(type)) {
        throw new SnsError(
          "ParameterValueInvalid",
          400,
          `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
        );
      }
      const value = type.startsWith("Binary") ? bin : str;
      if (!value) {
        throw new SnsError(
          "ParameterValueInvalid",
          400,
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
        );
      }
      attributes[name] = value;
      attributeBytes += Buffer.byteLength(name) + Buffer.byteLength(type) + Buffer.byteLength(value);
    }
    if (Buffer.byteLength(message) + attributeBytes > MAX_MESSAGE_BYTES) {
      throw new SnsError("InvalidParameter", 400, "Invalid parameter: Message too long");
    }

    if (topics && !topics.has(topicArn)) throw new SnsError("NotFound", 404, "Topic does not exist");

    const groupId = params.get("MessageGroupId") ?? undefined;
    const dedupId = params.get("MessageDeduplicationId") ?? undefined;
    const fifo = topicArn.endsWith(".fifo");
    let seq: string | undefined;
    const messageId = randomUUID();
    if (fifo) {
      if (!groupId) {
        throw new SnsError(
          "InvalidParameter",
          400,
          "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
        );
      }
      if (!FIFO_ID_RE.test(groupId)) throw new SnsError("InvalidParameter", 400, "Invalid parameter: MessageGroupId");
      if (!dedupId) {
        throw new SnsError(
          "InvalidParameter",
          400,
          "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        );
      }
      if (!FIFO_ID_RE.test(dedupId))
        throw new SnsError("InvalidParameter", 400, "Invalid parameter: MessageDeduplicationId");
      const now = Date.now();
      for (const [key, seen] of dedup) if (now - seen.at > DEDUP_WINDOW_MS) dedup.delete(key);
      const key = `${topicArn}\n${dedupId}`;
      const seen = dedup.get(key);
      if (seen) return publishXml(seen.messageId, seen.sequence, requestId);
      sequence += 1n;
      seq = sequence.toString();
      dedup.set(key, { messageId, sequence: seq, at: now });
    } else if (dedupId) {
      throw new SnsError(
        "InvalidParameter",
        400,
        "Invalid parameter: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
      );
    }

    const record: PublishedMessage = { topicArn, message, attributes, messageId, at: Date.now() };
    if (subject !== undefined) record.subject = subject;
    if (groupId !== undefined) record.groupId = groupId;
    if (dedupId !== undefined) record.dedupId = dedupId;
    published.push(record);
    return publishXml(messageId, seq, requestId);
  }

  /** CreateTopic is idempotent by name, as on SNS: the same name gives the same ARN. */
  function createTopic(params: URLSearchParams, auth: string, requestId: string): string {
    const name = params.get("Name") ?? "";
    if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)) {
      throw new SnsError("InvalidParameter", 400, "Invalid parameter: Topic Name");
    }
    const region = /Credential=[^/\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(auth)?.[1] ?? "us-east-1";
    const arn = `arn:aws:sns:${region}:123456789012:${name}`;
    topics?.add(arn);
    created.push(arn);
    return (
      `<CreateTopicResponse xmlns="${XMLNS}">\n  <CreateTopicResult>\n    <TopicArn>${arn}</TopicArn>\n  </CreateTopicResult>\n` +
      `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</CreateTopicResponse>\n`
    );
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          reject(new SnsError("RequestEntityTooLarge", 413, "Request body too large"));
          req.resume();
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    published,
    created,
    get requests() {
      return requests;
    },
    failNext(code, status, message, times = 1, headers = {}) {
      failures.push({ code, status, message: message ?? defaultMessage(code), times: Math.max(1, times), headers });
    },
    setDown(value) {
      down = value;
      if (value) {
        for (const s of sockets) s.destroy();
        sockets.clear();
      }
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    resetFaults() {
      failures.length = 0;
      down = false;
      latencyMs = 0;
    },
    waitFor<T>(
      probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
      timeoutMs = 5000,
    ): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let done = false;
        let busy = false;
        const finish = (fn: () => void) => {
          if (done) return;
          done = true;
          clearInterval(interval);
          clearTimeout(deadline);
          waiters.delete(check);
          fn();
        };
        const check = () => {
          if (done || busy) return;
          busy = true;
          Promise.resolve()
            .then(probe)
            .then(
              (v) => {
                busy = false;
                if (v) finish(() => resolve(v));
              },
              (err: unknown) => {
                busy = false;
                finish(() => reject(err));
              },
            );
        };
        const interval = setInterval(check, 20);
        const deadline = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(
                  `sns-server waitFor timed out after ${timeoutMs} ms (${requests} requests, ${published.length} published)`,
                ),
              ),
            ),
          timeoutMs,
        );
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      sockets.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function defaultMessage(code: string): string {
  switch (code) {
    case "AuthorizationError":
      return "User: arn:aws:iam::123456789012:user/test is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:123456789012:alerts because no identity-based policy allows the SNS:Publish action";
    case "NotFound":
      return "Topic does not exist";
    case "Throttled":
    case "Throttling":
      return "Rate exceeded";
    case "InvalidClientTokenId":
      return "The security token included in the request is invalid.";
    case "InternalError":
      return "We encountered an internal error. Please try again.";
    default:
      return `${code} (injected by sns-server)`;
  }
}

function publishXml(messageId: string, sequence: string | undefined, requestId: string): string {
  return (
    `<PublishResponse xmlns="${XMLNS}">\n` +
    "  <PublishResult>\n" +
    `    <MessageId>${messageId}</MessageId>\n` +
    (sequence ? `    <SequenceNumber>${sequence}</SequenceNumber>\n` : "") +
    "  </PublishResult>\n" +
    "  <ResponseMetadata>\n" +
    `    <RequestId>${requestId}</RequestId>\n` +
    "  </ResponseMetadata>\n" +
    "</PublishResponse>\n"
  );
}

function errorXml(code: string, status: number, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${XMLNS}">\n` +
    "  <Error>\n" +
    `    <Type>${status >= 500 ? "Receiver" : "Sender"}</Type>\n` +
    `    <Code>${escapeXml(code)}</Code>\n` +
    `    <Message>${escapeXml(message)}</Message>\n` +
    "  </Error>\n" +
    `  <RequestId>${requestId}</RequestId>\n` +
    "</ErrorResponse>\n"
  );
}

function escapeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
