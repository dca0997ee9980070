import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { notFound } from '../../../domain/errors.js';
import { assertBlobKey, type BlobStore } from '../../../domain/ports/blob-store.js';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** S3-compatible endpoint (MinIO, Ceph, …); AWS when unset. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Explicit credentials (tests); otherwise the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Prefix for every key, e.g. `voicesurvey/`. */
  prefix?: string;
}

/**
 * Blobs in an S3-compatible bucket. `put` spools the stream to a temporary
 * file first so one PutObject with a known length uploads it: memory stays
 * bounded whatever the export size, and no multipart support is needed from
 * the store (exports are tens of MB; PutObject takes up to 5 GB).
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(private readonly opts: S3BlobStoreOptions) {
    const config: S3ClientConfig = {
      region: opts.region,
      forcePathStyle: opts.forcePathStyle ?? false,
      // Checksums only when an operation requires them: many S3-compatible
      // stores do not accept the SDK's default aws-chunked checksum trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    };
    this.client = new S3Client(config);
  }

  private key(key: string): string {
    assertBlobKey(key);
    return `${this.opts.prefix ?? ''}${key}`;
  }

  async put(key: string, body: Readable, opts: { contentType: string }): Promise<{ bytes: number }> {
    const dir = await mkdtemp(join(tmpdir(), 'vsa-blob-'));
    const file = join(dir, randomBytes(6).toString('hex'));
    try {
      await pipeline(body, createWriteStream(file, { mode: 0o600 }));
      const { size } = await stat(file);
      await this.client.send(new PutObjectCommand({
        Bucket: this.opts.bucket,
        Key: this.key(key),
        Body: createReadStream(file),
        ContentLength: size,
        ContentType: opts.contentType,
      }));
      return { bytes: size };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) }));
      return out.Body as Readable;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) throw notFound('blob');
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) }));
  }

  close(): void {
    this.client.destroy();
  }
}
