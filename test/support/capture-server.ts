/**
 * A bare loopback HTTP server that records every request exactly as received
 * (URL, headers, raw body) and answers with a configurable handler: for
 * checking what the simulator sends, byte for byte.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Captured {
  readonly method: string;
  /** Absolute URL as requested (http://127.0.0.1:port/path?query). */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Form-decoded body (repeated keys → arrays). */
  readonly params: Record<string, string | string[]>;
}

export interface CaptureServer {
  readonly url: string;
  readonly requests: Captured[];
  close(): Promise<void>;
}

export type Responder = (req: Captured) => { status?: number; type?: string; body?: string } | undefined;

export function decodeForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export async function startCaptureServer(respond: Responder = () => undefined): Promise<CaptureServer> {
  const requests: Captured[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const captured: Captured = { method: req.method ?? 'GET', url: `${base}${req.url ?? '/'}`, headers: req.headers, body, params: decodeForm(body) };
      requests.push(captured);
      const out = respond(captured) ?? {};
      res.writeHead(out.status ?? 200, { 'Content-Type': out.type ?? 'text/xml' });
      res.end(out.body ?? '<Response/>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
