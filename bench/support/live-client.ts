/**
 * The live bench's viewers, in a process of their own (so their parsing is not counted in
 * the server's CPU): `node bench/support/live-client.ts URL VIEWERS SECONDS`. Opens VIEWERS
 * MJPEG connections, prints "ready" once each has had a frame, keeps reading for SECONDS,
 * then prints one JSON line { latenciesMs, parts } and exits. Latency: a part's arrival
 * (Date.now() at its last byte) minus its X-Captured-At.
 */
import { openMjpeg } from "../../test/support/mjpeg-client.ts";

const [url, viewersArg, secondsArg] = process.argv.slice(2);
if (!url) throw new Error("usage: live-client.ts URL VIEWERS SECONDS");
const viewers = Number(viewersArg ?? 1);
const seconds = Number(secondsArg ?? 10);

let measuring = false;
const latenciesMs: number[] = [];
const parts = new Array<number>(viewers).fill(0);
const firstPart: Promise<void>[] = [];
const conns = await Promise.all(
  Array.from({ length: viewers }, (_, i) => {
    let first!: () => void;
    firstPart.push(new Promise<void>((r) => (first = r)));
    return openMjpeg(url, (p) => {
      first();
      if (!measuring) return;
      parts[i] = (parts[i] ?? 0) + 1;
      latenciesMs.push(p.receivedAt - p.capturedAt);
    });
  }),
);
for (const c of conns) if (c.status !== 200) throw new Error(`viewer refused: ${c.status} ${JSON.stringify(c.json)}`);
await Promise.all(firstPart);
measuring = true;
process.stdout.write("ready\n");
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
for (const c of conns) c.close();
process.stdout.write(`${JSON.stringify({ latenciesMs, parts })}\n`);
process.exit(0);
