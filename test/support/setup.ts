/**
 * Loaded before every test file. Any network connection to a host other than
 * this machine fails the test at once: tests talk to real services on loopback
 * only, never to the internet.
 */
import net from 'node:net';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|0\.0\.0\.0)$/i;
const originalConnect = net.Socket.prototype.connect;

function targetOf(args: unknown[]): { host?: string; path?: string; port?: unknown } {
  const [first, second] = args;
  if (first && typeof first === 'object' && !Array.isArray(first)) {
    const o = first as { host?: string; path?: string; port?: unknown };
    return { host: o.host, path: o.path, port: o.port };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { path: first };
  return { port: first, host: typeof second === 'string' ? second : undefined };
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const t = targetOf(args);
  if (!t.path && t.host !== undefined && !LOOPBACK.test(t.host)) {
    throw new Error(`test tried to connect to ${t.host}:${String(t.port)}; tests may only reach loopback services`);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
