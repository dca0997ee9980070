import { basename } from 'node:path';
import { type Command } from 'commander';
import { addExclusion, importExclusions, listExclusions, recheckExclusions, removeExclusion } from '../commands/exclusions/exclusions.js';
import { Migrator } from '../db/migrator.js';
import type { Database } from '../db/connect.js';
import { asCliError, csvOptions, openInput, printReport, progressReporter, type CsvCliOptions } from './contacts.js';
import type { CliContext } from './context.js';

export function registerExclusionCommands(program: Command, ctx: CliContext): void {
  const exclusions = program.command('exclusions').description('the do-not-call list');

  const withDb = <T>(fn: (database: Database) => Promise<T>): Promise<T> =>
    ctx
      .withDatabase(async (database) => {
        if (database.engine === 'pglite') await new Migrator(database.db, { log: ctx.log() }).up();
        return fn(database);
      })
      .catch((err: unknown) => {
        throw asCliError(err);
      });

  exclusions
    .command('import')
    .description('import a do-not-call list (CSV with a phone_number column, optional reason); all rows or none')
    .argument('<file>', 'CSV file')
    .option('--reason <text>', 'reason for rows without one')
    .option('--list-name <name>', 'name of the list (e.g. the national register)')
    .option('--list-date <YYYY-MM-DD>', 'date of the list extract')
    .option('--region <CC>', 'region for national numbers', 'IT')
    .option('--json', 'print the report as JSON')
    .option('--delimiter <d>', 'comma, semicolon or tab (default: detected)')
    .option('--encoding <e>', 'utf-8, latin1 or windows-1252 (default: detected)')
    .action(async (file: string, opts: CsvCliOptions & { reason?: string; listName?: string; listDate?: string; region: string }) => {
      const parsed = csvOptions(opts);
      const input = openInput(file);
      const progress = progressReporter(input.size);
      const report = await withDb(({ db }) =>
        importExclusions(db, {
          source: input.stream,
          fileName: basename(file),
          reason: opts.reason ?? null,
          listName: opts.listName ?? null,
          listDate: opts.listDate ?? null,
          region: opts.region,
          maxBytes: ctx.config().imports.maxBytes,
          ...parsed,
          ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
        }),
      ).finally(() => progress.done());
      printReport(ctx, report, opts.json, 'imported exclusions');
    });

  exclusions
    .command('add')
    .description('add one number to the do-not-call list (excludes matching contacts in every campaign)')
    .argument('<number>', 'phone number (national numbers are read in --region)')
    .option('--reason <text>', 'why')
    .option('--region <CC>', 'region for national numbers', 'IT')
    .option('--json', 'print JSON')
    .action(async (number: string, opts: { reason?: string; region: string; json?: boolean }) => {
      const r = await withDb(({ db }) => addExclusion(db, { phoneNumber: number, reason: opts.reason ?? null, region: opts.region, source: 'manual' }));
      if (opts.json) {
        ctx.print(JSON.stringify({ id: r.entry.id, created: r.created, contacts_excluded: r.contactsExcluded }));
        return;
      }
      ctx.print(`${r.created ? 'added' : 'already listed'}: ${r.entry.id}; ${r.contactsExcluded} contacts excluded`);
    });

  exclusions
    .command('remove')
    .description('remove an entry (contacts it excluded stay excluded; see docs/compliance.md)')
    .argument('<id>', 'entry id')
    .action(async (id: string) => {
      const removed = await withDb(({ db }) => removeExclusion(db, id));
      ctx.print(`removed: ${removed.id}`);
    });

  exclusions
    .command('list')
    .description('list entries, newest first')
    .option('--search <digits>', 'trailing digits of the number')
    .option('--page <n>', 'page (from 1)', '1')
    .option('--json', 'print JSON')
    .action(async (opts: { search?: string; page: string; json?: boolean }) => {
      const page = await withDb(({ db }) => listExclusions(db, { ...(opts.search ? { search: opts.search } : {}), page: Number(opts.page) || 1 }));
      if (opts.json) {
        ctx.print(JSON.stringify(page));
        return;
      }
      for (const e of page.items) {
        ctx.print(`${e.id}  ${e.phone_number}  ${e.source}  ${e.created_at.toISOString()}  ${e.reason ?? ''}`);
      }
      ctx.print(`page ${page.page}, ${page.items.length} of ${page.total}`);
    });

  exclusions
    .command('recheck')
    .description('exclude every dialable contact whose number is listed or flagged do_not_call')
    .action(async () => {
      const n = await withDb(({ db }) => recheckExclusions(db));
      ctx.print(`${n} contacts excluded`);
    });
}
