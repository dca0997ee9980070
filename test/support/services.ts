/**
 * Optional local services (Redis, …): tests that need one skip when it is not
 * listening, unless VSA_TEST_REQUIRE_SERVICES=1, where absence fails the run.
 */
import net from 'node:net';
import { inject } from 'vitest';

/** true when something accepts TCP connections on 127.0.0.1:port within 500 ms. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether to run tests needing the service on `port`; throws when it is required but absent. */
export async function serviceAvailable(name: string, port: number): Promise<boolean> {
  const up = await isListening(port);
  if (!up && inject('testDb').requireServices) {
    throw new Error(`${name} is required (VSA_TEST_REQUIRE_SERVICES=1) but nothing listens on 127.0.0.1:${port}`);
  }
  return up;
}
