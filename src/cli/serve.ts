import { Option, type Command } from 'commander';
import { buildApp, ROLES, type Role } from '../app.js';
import { createDemoMode, DemoUnavailableError, type DemoMode } from '../demo/index.js';
import { CliError, EXIT, type CliContext } from './context.js';

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the product: HTTP API, scheduler and workers (by role)')
    .addOption(new Option('--role <role>', 'which part of the system this process runs').choices([...ROLES]).default('all'))
    .option('--demo', 'demo mode: demo data, and the demo campaign calling the built-in simulator around the clock (never for production)')
    .action(async (opts: { role: Role; demo?: boolean }) => {
      const log = ctx.log();
      let demo: DemoMode | null = null;
      try {
        demo = opts.demo ? createDemoMode(ctx.config(), log) : null;
      } catch (err) {
        if (err instanceof DemoUnavailableError) throw new CliError(err.message, EXIT.config);
        throw err;
      }
      const config = demo?.config ?? ctx.config();
      const app = await buildApp(config, log, { role: opts.role, ...demo?.buildOptions });
      let status;
      try {
        status = demo ? await demo.prepare(app) : undefined;
      } catch (err) {
        await app.stop();
        throw err;
      }
      const url = await app.start();
      demo?.start(app);
      ctx.print(`voicesurvey ${opts.role} listening on ${url} (database: ${app.database.engine})`);
      const base = config.http.publicBaseUrl ?? url.replace('0.0.0.0', '127.0.0.1');
      if (config.auth.oidc.mode === 'dev') {
        ctx.print(`sign in at ${base}/api/auth/login — built-in development identity provider: pick a demo user, no password (never for production)`);
      }
      if (demo && status) {
        const pace = config.telephony.simulator.fast ? 'fast mode' : 'real time';
        ctx.print(`demo: "${status.campaignName}" (${status.campaignStatus}, ${status.contacts} contacts) calls the built-in simulator around the clock, in ${pace}`);
        if (status.settled > 0) ctx.print(`demo: closed ${status.settled} call(s) the previous run left open; those contacts will be called again`);
        const who = config.auth.oidc.mode === 'dev' ? ' as Marco Manager (campaign manager) or Ada Admin (admin)' : '';
        ctx.print(`demo: open ${base}/ and sign in${who} to watch it; follow-up emails land in ${base}/demo/mailbox`);
      }
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          log.info({ signal }, 'shutting down');
          Promise.resolve(demo?.stop()).then(() => app.stop()).then(resolve, (err: unknown) => {
            log.error({ err }, 'error during shutdown');
            resolve();
          });
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
    });
}
