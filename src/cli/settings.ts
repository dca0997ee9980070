import type { Command } from 'commander';
import { reencryptSecrets } from '../commands/settings/reencrypt.js';
import { secretBoxFor } from '../commands/settings/effective.js';
import { CliError, type CliContext } from './context.js';

export function registerSettingsCommands(program: Command, ctx: CliContext): void {
  const settings = program.command('settings').description('admin settings stored in the database');

  settings
    .command('reencrypt')
    .description('re-seal stored secrets under CONFIG_ENCRYPTION_KEY (after a key rotation; old keys in CONFIG_ENCRYPTION_KEY_PREVIOUS)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await ctx.withDatabase(async ({ db }) => {
        const report = await reencryptSecrets(db, secretBoxFor(ctx.config()));
        if (opts.json) ctx.print(JSON.stringify(report));
        else {
          ctx.print(`re-encrypted: ${report.reencrypted.join(', ') || 'none'}`);
          ctx.print(`already current: ${report.current.join(', ') || 'none'}`);
          if (report.failed.length) ctx.print(`could not decrypt (re-enter these): ${report.failed.join(', ')}`);
        }
        if (report.failed.length) throw new CliError(`${report.failed.length} secret(s) could not be decrypted with the configured keys`);
      });
    });
}
