/**
 * A TCP proxy on 127.0.0.1 that can be "unplugged": while down it drops every open
 * connection and resets new ones, so a client behind it sees the service as unreachable
 * (for "AWS unreachable for a while, then back" without losing the service's data).
 */
import net from "node:net";

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  let down = false;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    const cleanup = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cleanup).on("close", cleanup);
    upstream.on("error", cleanup).on("close", cleanup);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setDown(value) {
      down = value;
      if (value) for (const s of open) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
