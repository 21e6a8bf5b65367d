/**
 * The link to the site's MQTT broker (mqtt.js): TLS with this machine's client certificate,
 * a persistent session (clean: false, a fixed client id: QoS 1 messages for us wait at the
 * broker while we are away), reconnection every few seconds, and logs that say what is
 * wrong once per outage rather than once per try.
 */
import { readFile } from "node:fs/promises";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "../../core/logger.ts";
import type { BrokerLinkState } from "../../core/rooms/broker-watch.ts";

export interface BrokerSettings {
  url: string;
  caFile: string | undefined;
  certFile: string;
  keyFile: string;
}

export interface ConnectOptions {
  broker: BrokerSettings;
  clientId: string;
  logger: Logger;
  will?: IClientOptions["will"];
  /** Seconds between pings while idle (the broker declares us gone after 1.5 times it). */
  keepaliveSeconds?: number;
  /** Pause between reconnection attempts (default 2 s). */
  reconnectMs?: number;
}

/** Reads the PEM files; a file that cannot be read is an error naming its variable. */
export async function readTlsFiles(b: BrokerSettings): Promise<{ ca?: Buffer; cert: Buffer; key: Buffer }> {
  const read = async (file: string, variable: string) => {
    try {
      return await readFile(file);
    } catch (err) {
      throw new Error(
        `${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  };
  const [ca, cert, key] = await Promise.all([
    b.caFile ? read(b.caFile, "MQTT_CA_FILE") : Promise.resolve(undefined),
    read(b.certFile, "MQTT_CERT_FILE"),
    read(b.keyFile, "MQTT_KEY_FILE"),
  ]);
  return { ...(ca ? { ca } : {}), cert, key };
}

/** The broker as logs show it (no credentials). */
export function brokerName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "(invalid URL)";
  }
}

/** TCP_NODELAY on the client's current connection (a TLS or plain TCP socket; a WebSocket has none). */
function noDelay(client: MqttClient): void {
  const stream = client.stream as unknown as { setNoDelay?: (on: boolean) => unknown };
  stream.setNoDelay?.(true);
}

/** Connects (and keeps reconnecting) to the broker; resolves once the client exists, not once it is connected. */
export async function connectBroker(opts: ConnectOptions): Promise<MqttClient> {
  const tls = await readTlsFiles(opts.broker);
  const name = brokerName(opts.broker.url);
  const log = opts.logger.child({ component: "mqtt", broker: name });
  const client = mqtt.connect(opts.broker.url, {
    ...tls,
    rejectUnauthorized: true,
    clientId: opts.clientId,
    clean: false,
    protocolVersion: 4,
    keepalive: opts.keepaliveSeconds ?? 30,
    reconnectPeriod: opts.reconnectMs ?? 2_000,
    connectTimeout: 10_000,
    resubscribe: true,
    ...(opts.will ? { will: opts.will } : {}),
  });
  /** One outage, one warning (plus the error that explains it). */
  let down = false;
  let lastError = "";
  client.on("connect", (packet) => {
    // Small messages go out at once: with Nagle's algorithm on, a room's answer written right
    // after its PUBACK waited for the broker's delayed ACK (~40 ms on every command round trip).
    noDelay(client);
    if (down) log.info({ sessionPresent: packet.sessionPresent }, `connected to the broker ${name} again`);
    else log.info({ sessionPresent: packet.sessionPresent }, `connected to the broker ${name}`);
    down = false;
    lastError = "";
  });
  client.on("error", (err) => {
    const message = err.message;
    if (message !== lastError) {
      lastError = message;
      log.error({ err: message, code: (err as NodeJS.ErrnoException).code }, "broker connection error");
    }
  });
  client.on("close", () => {
    if (!down && !client.disconnecting) {
      down = true;
      log.warn(`lost the broker ${name}; reconnecting every ${(opts.reconnectMs ?? 2_000) / 1000} s`);
    }
  });
  return client;
}

/**
 * Follows a client's link for the broker watch (core/rooms/broker-watch.ts): down since it
 * was made until its first connection, and from each loss to the next connection; the
 * latest error of the outage.
 */
export function trackLink(client: MqttClient, now: () => number = Date.now): { state(): BrokerLinkState } {
  let downSince: number | undefined = client.connected ? undefined : now();
  let lastError: string | undefined;
  client.on("connect", () => {
    downSince = undefined;
    lastError = undefined;
  });
  client.on("error", (err) => {
    lastError = err.message;
  });
  client.on("close", () => {
    downSince ??= now();
  });
  return {
    state: () => ({
      connected: client.connected,
      ...(downSince !== undefined && !client.connected ? { downSince } : {}),
      ...(lastError !== undefined && !client.connected ? { lastError } : {}),
    }),
  };
}

/** Publishes with QoS 1 and waits for the broker's PUBACK, at most `timeoutMs`. */
export function publishAcked(
  client: MqttClient,
  topic: string,
  payload: string,
  opts: { retain?: boolean; timeoutMs: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no PUBACK within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    client.publish(topic, payload, { qos: 1, retain: opts.retain ?? false }, (err) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    });
  });
}
