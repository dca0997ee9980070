import { Option, type Command } from 'commander';
import { buildApp, type Role } from '../app.js';
import { seedDatabase } from '../db/seed.js';
import type { CliContext } from './context.js';

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the product: HTTP API (and, with later roles, the workers)')
    .addOption(new Option('--role <role>', 'which part of the system this process runs').choices(['all', 'api']).default('all'))
    .option('--demo', 'demo mode: load the demo data before starting (idempotent)')
    .action(async (opts: { role: Role; demo?: boolean }) => {
      const config = ctx.config();
      const log = ctx.log();
      const app = await buildApp(config, log, { role: opts.role });
      if (opts.demo) await seedDatabase(app.database.db);
      const url = await app.start();
      ctx.print(`voicesurvey ${opts.role} listening on ${url} (database: ${app.database.engine})`);
      if (config.auth.oidc.mode === 'dev') {
        const base = config.http.publicBaseUrl ?? url.replace('0.0.0.0', '127.0.0.1');
        ctx.print(`sign in at ${base}/api/auth/login — built-in development identity provider: pick a demo user, no password (never for production)`);
      }
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          log.info({ signal }, 'shutting down');
          app.stop().then(resolve, (err: unknown) => {
            log.error({ err }, 'error during shutdown');
            resolve();
          });
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
    });
}
