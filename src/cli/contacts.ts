import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { type Command } from 'commander';
import type { CsvDelimiter, CsvEncoding } from '../adapters/csv/sniff.js';
import { importContacts } from '../commands/contacts/import-contacts.js';
import { reincludeContact } from '../commands/contacts/reinclude-contact.js';
import { Migrator } from '../db/migrator.js';
import type { ImportReport } from '../domain/contacts/index.js';
import { isDomainError } from '../domain/errors.js';
import { CliError, EXIT, type CliContext } from './context.js';

export interface CsvCliOptions {
  json?: boolean;
  delimiter?: string;
  encoding?: string;
}

const DELIMITER_NAMES: Record<string, CsvDelimiter> = {
  ',': ',', comma: ',', ';': ';', semicolon: ';', '\t': '\t', '\\t': '\t', tab: '\t',
};
const ENCODING_NAMES: Record<string, CsvEncoding> = {
  'utf-8': 'utf-8', utf8: 'utf-8', latin1: 'latin1', 'iso-8859-1': 'latin1', 'windows-1252': 'windows-1252', cp1252: 'windows-1252', win1252: 'windows-1252',
};

/** Parses --delimiter/--encoding; bad values are usage errors. */
export function csvOptions(opts: CsvCliOptions): { delimiter?: CsvDelimiter; encoding?: CsvEncoding } {
  const out: { delimiter?: CsvDelimiter; encoding?: CsvEncoding } = {};
  if (opts.delimiter !== undefined) {
    const d = DELIMITER_NAMES[opts.delimiter.toLowerCase()];
    if (!d) throw new CliError('--delimiter must be comma, semicolon or tab', EXIT.usage);
    out.delimiter = d;
  }
  if (opts.encoding !== undefined) {
    const e = ENCODING_NAMES[opts.encoding.toLowerCase()];
    if (!e) throw new CliError('--encoding must be utf-8, latin1 or windows-1252', EXIT.usage);
    out.encoding = e;
  }
  return out;
}

/** Opens the file for streaming; a missing file is a usage error. */
export function openInput(file: string): { stream: NodeJS.ReadableStream & AsyncIterable<Buffer>; size: number } {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new CliError(`cannot read ${file}: no such file`, EXIT.usage);
  }
  return { stream: createReadStream(file, { highWaterMark: 1 << 18 }) as never, size };
}

/** A progress line on stderr, only when stderr is a terminal; returns the callback and a finisher. */
export function progressReporter(total: number): { onProgress?: (p: { bytes: number; rows: number }) => void; done(): void } {
  if (!process.stderr.isTTY) return { done() {} };
  let last = 0;
  return {
    onProgress({ bytes, rows }) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const pct = total > 0 ? Math.min(100, Math.floor((bytes / total) * 100)) : 0;
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}%  ${rows.toLocaleString('en-US')} rows`);
    },
    done() {
      process.stderr.write('\r\x1b[K');
    },
  };
}

/** Domain errors (bad file, campaign state) become one line and exit code 1. */
export function asCliError(err: unknown): unknown {
  if (isDomainError(err)) return new CliError(`${err.message} (${err.code})`, EXIT.failure);
  return err;
}

export function printReport(ctx: CliContext, report: ImportReport, json: boolean | undefined, what: string): void {
  if (json) {
    ctx.print(JSON.stringify(report));
    return;
  }
  ctx.print(`${what}: ${report.total_rows} rows — ${report.accepted} accepted (${report.excluded} excluded), ${report.rejected} rejected, ${report.duplicates} duplicates`);
  if (report.unknown_columns.length > 0) ctx.print(`ignored columns: ${report.unknown_columns.join(', ')}`);
  for (const e of report.errors) ctx.print(`line ${e.line}: ${e.field}: ${e.message} (${e.code})`);
  if (report.errors_total > report.errors.length) {
    ctx.print(`… and ${report.errors_total - report.errors.length} more errors (import ${report.import_id})`);
  }
}

export function registerContactsCommands(program: Command, ctx: CliContext): void {
  const contacts = program.command('contacts').description('campaign contacts');

  contacts
    .command('import')
    .description('import a contacts CSV into a campaign (all rows or none)')
    .requiredOption('--campaign <id>', 'campaign id')
    .argument('<file>', 'CSV file (UTF-8 or Windows-1252; comma, semicolon or tab)')
    .option('--json', 'print the report as JSON')
    .option('--delimiter <d>', 'comma, semicolon or tab (default: detected)')
    .option('--encoding <e>', 'utf-8, latin1 or windows-1252 (default: detected)')
    .action(async (file: string, opts: CsvCliOptions & { campaign: string }) => {
      const parsed = csvOptions(opts);
      const input = openInput(file);
      const progress = progressReporter(input.size);
      const report = await ctx
        .withDatabase(async ({ db, engine }) => {
          if (engine === 'pglite') await new Migrator(db, { log: ctx.log() }).up();
          return importContacts(db, {
            campaignId: opts.campaign,
            source: input.stream,
            fileName: basename(file),
            maxBytes: ctx.config().imports.maxBytes,
            ...parsed,
            ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
          });
        })
        .catch((err: unknown) => {
          throw asCliError(err);
        })
        .finally(() => progress.done());
      printReport(ctx, report, opts.json, 'imported');
    });

  contacts
    .command('reinclude')
    .description('put an excluded contact back to pending (after its exclusion entry was removed; see docs/compliance.md)')
    .argument('<contact-id>', 'contact id')
    .action(async (contactId: string) => {
      const contact = await ctx
        .withDatabase(async ({ db, engine }) => {
          if (engine === 'pglite') await new Migrator(db, { log: ctx.log() }).up();
          return reincludeContact(db, contactId);
        })
        .catch((err: unknown) => {
          throw asCliError(err);
        });
      ctx.print(`re-included: ${contact.id} (pending)`);
    });
}
