import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3TestDouble, type S3TestDouble } from '../../../test/support/s3-test-double.js';
import type { BlobStore } from '../../domain/ports/blob-store.js';
import { LocalBlobStore } from './local/local-blob-store.js';
import { S3BlobStore } from './s3/s3-blob-store.js';

/** The BlobStore contract, run against every adapter. */
function contract(name: string, make: () => BlobStore) {
  describe(`${name} blob store`, () => {
    it('stores a stream and reads it back, reporting the byte count', async () => {
      const store = make();
      const body = 'a,b\r\n1,è\r\n'.repeat(5000);
      const { bytes } = await store.put('exports/c1/job.csv', Readable.from([body]), { contentType: 'text/csv' });
      expect(bytes).toBe(Buffer.byteLength(body));
      expect(await text(await store.get('exports/c1/job.csv'))).toBe(body);
    });

    it('replaces, deletes, and reports a missing blob as blob.not_found', async () => {
      const store = make();
      await store.put('k.csv', Readable.from(['one']), { contentType: 'text/csv' });
      await store.put('k.csv', Readable.from(['two']), { contentType: 'text/csv' });
      expect(await text(await store.get('k.csv'))).toBe('two');
      await store.delete('k.csv');
      await store.delete('k.csv');
      await expect(store.get('k.csv')).rejects.toMatchObject({ code: 'blob.not_found', kind: 'not_found' });
    });

    it('refuses keys that could escape the store', async () => {
      const store = make();
      await expect(store.put('../etc/passwd', Readable.from(['x']), { contentType: 'text/plain' })).rejects.toThrow(/invalid blob key/);
      await expect(store.get('a/../../b')).rejects.toThrow(/invalid blob key/);
    });
  });
}

let dir: string;
let s3: S3TestDouble;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vsa-blobs-'));
  s3 = await startS3TestDouble('exports');
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await s3.close();
});

contract('local', () => new LocalBlobStore(dir));
contract('s3', () => new S3BlobStore({
  bucket: 'exports', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test-secret' }, prefix: 'vsa/',
}));

describe('adapters specifically', () => {
  it('local: a failed write leaves neither the blob nor a partial file', async () => {
    const store = new LocalBlobStore(dir);
    const failing = new Readable({ read() { this.destroy(new Error('source broke')); } });
    await expect(store.put('broken/x.csv', failing, { contentType: 'text/csv' })).rejects.toThrow(/source broke/);
    expect(readdirSync(join(dir, 'broken'))).toEqual([]);
  });

  it('s3: uploads with one PutObject under the configured prefix', async () => {
    const store = new S3BlobStore({
      bucket: 'exports', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test-secret' }, prefix: 'vsa/',
    });
    s3.requests.length = 0;
    await store.put('one.csv', Readable.from(['x,y\r\n']), { contentType: 'text/csv; charset=utf-8' });
    expect(s3.requests).toEqual([{ method: 'PUT', path: '/exports/vsa/one.csv' }]);
    expect(s3.objects.get('vsa/one.csv')?.contentType).toBe('text/csv; charset=utf-8');
    store.close();
  });
});
