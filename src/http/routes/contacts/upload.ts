/**
 * Multipart CSV uploads, streamed: the file part goes straight into the
 * import as it arrives (never buffered whole). Shared by contact and
 * exclusion uploads.
 */
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { tooLarge } from '../../../adapters/csv/reader.js';
import type { CsvDelimiter, CsvEncoding } from '../../../adapters/csv/sniff.js';
import type { ImportReport } from '../../../domain/contacts/index.js';
import { DomainError } from '../../../domain/errors.js';

const DELIMITERS: Record<string, CsvDelimiter> = { comma: ',', semicolon: ';', tab: '\t' };

export function csvOptions(q: { delimiter?: string | undefined; encoding?: string | undefined }): { delimiter?: CsvDelimiter; encoding?: CsvEncoding } {
  return {
    ...(q.delimiter ? { delimiter: DELIMITERS[q.delimiter]! } : {}),
    ...(q.encoding ? { encoding: q.encoding as CsvEncoding } : {}),
  };
}

/**
 * Runs `consume` on the request's one file part. A declared Content-Length
 * beyond the limit is refused before reading; an undeclared one is counted
 * as it streams. Whatever happens, the rest of the upload is drained so the
 * connection stays usable.
 */
export async function withUploadedFile<T>(
  req: FastifyRequest,
  maxBytes: number,
  consume: (file: MultipartFile) => Promise<T>,
): Promise<T> {
  const declared = Number(req.headers['content-length']);
  // Multipart framing adds a few hundred bytes; allow 64 KiB of it.
  if (Number.isFinite(declared) && declared > maxBytes + 65536) throw tooLarge(maxBytes);
  if (!req.isMultipart()) {
    throw new DomainError('upload.not_multipart', 'Send the CSV as multipart/form-data with one file field.', 'invalid');
  }
  const part = await req.file({ limits: { fileSize: maxBytes + 1, files: 1, fields: 20 } });
  if (!part) throw new DomainError('upload.no_file', 'The request has no file part; send the CSV as a file field.', 'invalid');
  try {
    return await consume(part);
  } finally {
    part.file.resume();
  }
}

export const errorsUrl = (report: Pick<ImportReport, 'import_id'>, campaignId: string | null): string =>
  campaignId ? `/api/campaigns/${campaignId}/contacts/imports/${report.import_id}/errors.csv` : `/api/exclusions/imports/${report.import_id}/errors.csv`;
