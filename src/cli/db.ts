import type { Command } from 'commander';
import { Migrator } from '../db/migrator.js';
import { seedDatabase } from '../db/seed.js';
import type { CliContext } from './context.js';

export function registerDbCommands(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('database schema and demo data');

  db.command('upgrade')
    .description('apply pending migrations')
    .option('--to <version>', 'stop after this version')
    .action(async (opts: { to?: string }) => {
      await ctx.withDatabase(async ({ db }) => {
        const applied = await new Migrator(db, { log: ctx.log() }).up(opts);
        ctx.print(applied.length ? `applied: ${applied.join(', ')}` : 'up to date: nothing to apply');
      });
    });

  db.command('downgrade')
    .description('revert the newest migration, or every migration above --to (0 reverts all)')
    .option('--to <version>', 'revert down to this version (kept)')
    .action(async (opts: { to?: string }) => {
      await ctx.withDatabase(async ({ db }) => {
        const reverted = await new Migrator(db, { log: ctx.log() }).down(opts);
        ctx.print(reverted.length ? `reverted: ${reverted.join(', ')}` : 'nothing to revert');
      });
    });

  db.command('status')
    .description('list migrations and whether each is applied')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await ctx.withDatabase(async ({ db, engine }) => {
        const rows = await new Migrator(db).status();
        if (opts.json) {
          ctx.print(JSON.stringify({ engine, migrations: rows }));
          return;
        }
        ctx.print(`engine: ${engine}`);
        for (const r of rows) {
          ctx.print(`${r.version}  ${r.name.padEnd(28)} ${r.state}${r.appliedAt ? `  ${r.appliedAt.toISOString()}` : ''}`);
        }
      });
    });

  db.command('seed')
    .description('load the demo data (idempotent)')
    .action(async () => {
      await ctx.withDatabase(async ({ db, engine }) => {
        if (engine === 'pglite') await new Migrator(db, { log: ctx.log() }).up();
        const files = await seedDatabase(db);
        ctx.print(`seeded: ${files.join(', ')}`);
      });
    });
}
