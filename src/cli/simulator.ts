/**
 * `voicesurvey simulator`: the Twilio-protocol simulator as a standalone
 * process, for the demo or for pointing a separate `voicesurvey serve` at it
 * (TELEPHONY_PROVIDER=twilio, TWILIO_API_BASE_URL=<its URL>).
 */
import { Option, type Command } from 'commander';
import { parseChaos } from '../adapters/telephony/simulator/chaos.js';
import { createSimulator, parseMix } from '../adapters/telephony/simulator/index.js';
import { CliError, EXIT, type CliContext } from './context.js';

interface SimulatorCliOptions {
  host: string;
  port: string;
  fast?: boolean;
  seed: string;
  mix: string;
  cps: string;
  maxConcurrent: string;
  chaos?: string;
  accountSid?: string;
  authToken?: string;
  json?: boolean;
}

function number(value: string, name: string, min = 0): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new CliError(`--${name} must be a number ≥ ${min}`, EXIT.usage);
  return n;
}

export function registerSimulatorCommand(program: Command, ctx: CliContext): void {
  program
    .command('simulator')
    .description('run the Twilio-protocol simulator (a fake carrier with scripted respondents)')
    .addOption(new Option('--host <host>', 'interface to bind').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port (0 picks a free one)').default('4010'))
    .option('--fast', 'no real waiting: ringing, speech and pauses take no time')
    .addOption(new Option('--seed <n>', 'seed for personas and chaos').default('1'))
    .addOption(new Option('--mix <mix>', 'persona mix: default, all_complete, unreachable, or persona=weight,…').default('default'))
    .addOption(new Option('--cps <n>', 'calls dialled per second (0 = unlimited)').default('1'))
    .addOption(new Option('--max-concurrent <n>', 'live calls before 10004 (0 = unlimited)').default('10'))
    .option('--chaos <spec>', 'fault injection, e.g. duplicate=0.1,reorder=0.1,drop=0.02,create429=0.05')
    .option('--account-sid <sid>', 'account SID to accept (default: derived from the seed)')
    .option('--auth-token <token>', 'auth token to accept and sign with (default: random)')
    .option('--json', 'print the connection details as one JSON line')
    .action(async (opts: SimulatorCliOptions) => {
      let chaos;
      try {
        parseMix(opts.mix);
        chaos = opts.chaos ? parseChaos(opts.chaos) : {};
      } catch (err) {
        throw new CliError((err as Error).message, EXIT.usage);
      }
      if (opts.accountSid && !/^AC[0-9a-fA-F]{32}$/.test(opts.accountSid)) throw new CliError('--account-sid must be AC followed by 32 hex digits', EXIT.usage);
      const sim = createSimulator({
        host: opts.host,
        port: number(opts.port, 'port'),
        fast: opts.fast ?? false,
        seed: number(opts.seed, 'seed'),
        mix: opts.mix,
        cps: number(opts.cps, 'cps'),
        maxConcurrent: number(opts.maxConcurrent, 'max-concurrent'),
        chaos,
        ...(opts.accountSid ? { accountSid: opts.accountSid } : {}),
        ...(opts.authToken ? { authToken: opts.authToken } : {}),
        log: ctx.log(),
      });
      const url = await sim.start();
      if (opts.json) ctx.print(JSON.stringify({ url, accountSid: sim.accountSid, authToken: sim.authToken }));
      else {
        ctx.print(`voicesurvey simulator listening on ${url}${opts.fast ? ' (fast mode)' : ''}`);
        ctx.print(`  TWILIO_API_BASE_URL=${url}`);
        ctx.print(`  TWILIO_ACCOUNT_SID=${sim.accountSid}`);
        ctx.print(`  TWILIO_AUTH_TOKEN=${sim.authToken}`);
      }
      await new Promise<void>((resolve) => {
        const shutdown = () => {
          const s = sim.stats();
          const { calls: _calls, ...summary } = s;
          ctx.print(JSON.stringify({ stopped: true, ...summary }));
          sim.stop().then(resolve, resolve);
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
    });
}
