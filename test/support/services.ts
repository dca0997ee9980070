/**
 * Local services some tests need (RabbitMQ, …). A test file asks whether the
 * service answers; absent, the tests skip — unless VSA_TEST_REQUIRE_SERVICES=1
 * (CI), where absence fails the run.
 */
import net from 'node:net';
import { inject } from 'vitest';

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** True when the service answers; throws when it does not and services are required. */
export async function serviceAvailable(name: string, port: number, host = '127.0.0.1'): Promise<boolean> {
  const ok = await portOpen(port, host);
  if (!ok && inject('testDb').requireServices) {
    throw new Error(`${name} is required (VSA_TEST_REQUIRE_SERVICES=1) but nothing answers on ${host}:${port}`);
  }
  return ok;
}

export const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * A TCP pass-through on loopback in front of a real service, to take it
 * "down" and bring it back without touching the service itself.
 */
export class TcpProxy {
  #server: net.Server | null = null;
  #sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {}

  async start(port = this.port): Promise<this> {
    const server = net.createServer((client) => {
      const upstream = net.connect({ port: this.targetPort, host: this.targetHost });
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.once('close', () => this.#sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this;
  }

  /** Refuses new connections and cuts the open ones. */
  async down(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    for (const sock of this.#sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  up(): Promise<this> {
    return this.start(this.port);
  }
}
