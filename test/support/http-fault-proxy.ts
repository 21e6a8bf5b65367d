/**
 * An HTTP proxy on 127.0.0.1 in front of a local AWS stand-in that answers the next N
 * requests (optionally only those of one operation, by X-Amz-Target) with an AWS error
 * instead of forwarding them: throttling (400 ProvisionedThroughputExceededException),
 * 500s... For testing the SDK's retries and what callers see when they run out.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FaultProxy {
  readonly url: string;
  /** The next `times` requests (of `operation`, e.g. "Query", if given) get this error. */
  fail(times: number, error: { status: number; type: string; message: string }, operation?: string): void;
  /**
   * The next `times` BatchWriteItem requests are answered 200 with every item returned as
   * UnprocessedItems (what DynamoDB does under throttling), without forwarding them.
   */
  unprocessed(times: number): void;
  /** Requests answered with an injected error so far. */
  readonly injected: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let pending:
    | { times: number; error: { status: number; type: string; message: string }; operation?: string }
    | undefined;
  let injected = 0;
  let unprocessed = 0;
  const server = http.createServer((req, res) => {
    const op = String(req.headers["x-amz-target"] ?? "")
      .split(".")
      .pop();
    if (op === "BatchWriteItem" && unprocessed > 0) {
      unprocessed--;
      injected++;
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { RequestItems: unknown };
        res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ UnprocessedItems: body.RequestItems }));
      });
      return;
    }
    if (pending && pending.times > 0 && (!pending.operation || pending.operation === op)) {
      pending.times--;
      injected++;
      const body = JSON.stringify({
        __type: `com.amazonaws.dynamodb.v20120810#${pending.error.type}`,
        message: pending.error.message,
      });
      req.resume();
      res.writeHead(pending.error.status, {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-errortype": pending.error.type,
      });
      res.end(body);
      return;
    }
    const fwd = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(fwd);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    unprocessed(times) {
      unprocessed = times;
    },
    fail(times, error, operation) {
      pending = { times, error, ...(operation ? { operation } : {}) };
    },
    get injected() {
      return injected;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
