/**
 * `voicesurvey export --campaign ID --out FILE [--bom] [--delimiter ;]`: the
 * campaign CSV for operators, streamed straight to a file (or stdout with
 * `--out -`), audited like every export.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { startDirectExport } from '../commands/reporting/export-jobs.js';
import { auditRecorder } from '../reporting-services.js';
import type { CliContext } from './context.js';

export function registerExportCommand(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('export a campaign as CSV (one row per contact; no transcripts, no emails)')
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--out <file>', 'file to write (`-` for stdout)')
    .option('--bom', 'start with a UTF-8 byte order mark (Excel)')
    .option('--delimiter <char>', 'field separator: , ; tab |', ',')
    .action(async (opts: { campaign: string; out: string; bom?: boolean; delimiter: string }) => {
      await ctx.withDatabase(async ({ db }) => {
        const out = await startDirectExport(db, { recordAudit: auditRecorder(db), log: ctx.log() }, {
          campaignId: opts.campaign, actorUserId: null, delimiter: opts.delimiter, bom: opts.bom === true,
        });
        if (opts.out === '-') {
          await pipeline(out.body, process.stdout, { end: false });
        } else {
          const tmp = `${opts.out}.partial`;
          try {
            await pipeline(out.body, createWriteStream(tmp, { mode: 0o600 }));
            await rename(tmp, opts.out);
          } catch (err) {
            await rm(tmp, { force: true });
            throw err;
          }
        }
        await out.audited; // before the database closes
        process.stderr.write(`exported ${out.progress.rows} contacts\n`);
      });
    });
}
