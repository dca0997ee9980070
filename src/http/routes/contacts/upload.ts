/**
 * Multipart CSV uploads, spooled: the file part is written to a private
 * temporary file as it arrives (never held in memory whole), and the import
 * reads that file once the upload is complete.
 *
 * Why not stream straight into the import: the import is one database
 * transaction (all rows or none) holding its campaign's import lock, and a
 * slow or stalled client would keep both open for as long as it takes to
 * send. Spooled, the transaction lasts as long as the database work, an
 * upload that never finishes never opens one, and the file is deleted when
 * the request ends, whatever happened. Shared by contact and exclusion uploads.
 */
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { tooLarge } from '../../../adapters/csv/reader.js';
import type { CsvDelimiter, CsvEncoding } from '../../../adapters/csv/sniff.js';
import type { ImportReport } from '../../../domain/contacts/index.js';
import { DomainError } from '../../../domain/errors.js';

const DELIMITERS: Record<string, CsvDelimiter> = { comma: ',', semicolon: ';', tab: '\t' };

/** Spool directories are named with this prefix inside the system's temporary directory. */
export const SPOOL_PREFIX = 'voicesurvey-upload-';

export function csvOptions(q: { delimiter?: string | undefined; encoding?: string | undefined }): { delimiter?: CsvDelimiter; encoding?: CsvEncoding } {
  return {
    ...(q.delimiter ? { delimiter: DELIMITERS[q.delimiter]! } : {}),
    ...(q.encoding ? { encoding: q.encoding as CsvEncoding } : {}),
  };
}

/** A complete upload, ready to import: its bytes (read from the spool file) and its name. */
export interface UploadedFile {
  readonly file: ReadStream;
  readonly filename: string;
}

/** Fails as soon as more than `maxBytes` went through (the rest is not written). */
function byteLimit(maxBytes: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      done(total > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
}

/**
 * Runs `consume` on the request's one file part once it has arrived whole. A
 * declared Content-Length beyond the limit is refused before reading; an
 * undeclared one is counted as it streams. An upload that breaks off (the
 * client went away, a malformed body) is a 422 `upload.incomplete` and
 * nothing is imported. Whatever happens, the rest of the request is drained
 * (so the connection stays usable) and the spool file is deleted.
 */
export async function withUploadedFile<T>(
  req: FastifyRequest,
  maxBytes: number,
  consume: (file: UploadedFile) => Promise<T>,
  spoolRoot: string = tmpdir(),
): Promise<T> {
  const declared = Number(req.headers['content-length']);
  // Multipart framing adds a few hundred bytes; allow 64 KiB of it.
  if (Number.isFinite(declared) && declared > maxBytes + 65536) throw tooLarge(maxBytes);
  if (!req.isMultipart()) {
    throw new DomainError('upload.not_multipart', 'Send the CSV as multipart/form-data with one file field.', 'invalid');
  }
  const part = await req.file({ limits: { fileSize: maxBytes + 1, files: 1, fields: 20 } });
  if (!part) throw new DomainError('upload.no_file', 'The request has no file part; send the CSV as a file field.', 'invalid');
  let spooled: ReadStream | undefined;
  const dir = await mkdtemp(join(spoolRoot, SPOOL_PREFIX));
  try {
    const path = join(dir, 'upload.csv');
    try {
      await pipeline(part.file, byteLimit(maxBytes), createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new DomainError('upload.incomplete', 'The upload ended before the whole file arrived; nothing was imported. Send it again.', 'invalid');
    }
    spooled = createReadStream(path, { highWaterMark: 1 << 18 });
    return await consume({ file: spooled, filename: part.filename });
  } finally {
    spooled?.destroy();
    part.file.resume();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Deletes spool directories left behind by a process that died mid-upload
 * (they hold personal data). Only those older than `olderThanMs`, so uploads
 * in progress in another process on the same machine are left alone.
 * Returns how many it removed.
 */
export async function sweepStaleUploads(olderThanMs = 24 * 3600_000, spoolRoot: string = tmpdir(), now = Date.now()): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(spoolRoot);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(SPOOL_PREFIX)) continue;
    const path = join(spoolRoot, name);
    try {
      if (now - (await stat(path)).mtimeMs < olderThanMs) continue;
      await rm(path, { recursive: true, force: true });
      removed++;
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}

export const errorsUrl = (report: Pick<ImportReport, 'import_id'>, campaignId: string | null): string =>
  campaignId ? `/api/campaigns/${campaignId}/contacts/imports/${report.import_id}/errors.csv` : `/api/exclusions/imports/${report.import_id}/errors.csv`;
