/**
 * S3 TEST DOUBLE — not S3. A tiny HTTP server on loopback that speaks just
 * enough of the S3 REST protocol (path-style PutObject, GetObject,
 * DeleteObject, HeadObject) for the S3 blob store adapter's tests, since no
 * real S3-compatible server runs on this machine. It checks that requests
 * carry a SigV4 Authorization header but does not verify signatures.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3TestDouble {
  readonly endpoint: string;
  readonly bucket: string;
  /** Stored objects: key → bytes. */
  readonly objects: Map<string, { body: Buffer; contentType: string | undefined }>;
  /** Every request's method and path, in order. */
  readonly requests: { method: string; path: string }[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Decodes `Content-Encoding: aws-chunked` (`<hex>;chunk-signature=…\r\n<data>\r\n … 0\r\n<trailers>`). */
function decodeAwsChunked(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = parseInt(raw.subarray(pos, eol).toString('latin1').split(';')[0]!, 16);
    if (!size) break;
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

const xmlError = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;

export async function startS3TestDouble(bucket = 'exports'): Promise<S3TestDouble> {
  const objects = new Map<string, { body: Buffer; contentType: string | undefined }>();
  const requests: { method: string; path: string }[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = decodeURIComponent(url.pathname);
      requests.push({ method: req.method ?? '', path });
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) {
        res.writeHead(403, { 'content-type': 'application/xml' }).end(xmlError('AccessDenied'));
        return;
      }
      const [, b, ...rest] = path.split('/');
      const key = rest.join('/');
      if (b !== bucket || !key) {
        res.writeHead(404, { 'content-type': 'application/xml' }).end(xmlError('NoSuchBucket'));
        return;
      }
      if (req.method === 'PUT') {
        let body = await readBody(req);
        if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) body = decodeAwsChunked(body);
        objects.set(key, { body, contentType: req.headers['content-type'] });
        res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` }).end();
        return;
      }
      const obj = objects.get(key);
      if (req.method === 'DELETE') {
        objects.delete(key);
        res.writeHead(204).end();
        return;
      }
      if (!obj) {
        res.writeHead(404, { 'content-type': 'application/xml' }).end(req.method === 'HEAD' ? undefined : xmlError('NoSuchKey'));
        return;
      }
      res.writeHead(200, { 'content-type': obj.contentType ?? 'application/octet-stream', 'content-length': obj.body.length });
      res.end(req.method === 'HEAD' ? undefined : obj.body);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    objects,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
