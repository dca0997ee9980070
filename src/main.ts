/**
 * The `voicesurvey` command line. Each area registers its commands from
 * src/cli/; this file only assembles them and reports errors.
 */
import { Command, CommanderError } from 'commander';
import { registerAuthCommands } from './cli/auth.js';
import { CliError, createCliContext, explainError, EXIT } from './cli/context.js';
import { registerContactsCommands } from './cli/contacts.js';
import { registerDbCommands } from './cli/db.js';
import { registerExportCommand } from './cli/export.js';
import { registerExclusionCommands } from './cli/exclusions.js';
import { registerNluCommands } from './cli/nlu.js';
import { createInterpreter } from './adapters/llm/index.js';
import { registerServeCommand } from './cli/serve.js';
import { registerSimulateCommand } from './cli/simulate.js';
import { registerSettingsCommands } from './cli/settings.js';
import { registerSimulatorCommand } from './cli/simulator.js';
import { VERSION } from './version.js';

export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const ctx = createCliContext(env);
  const program = new Command('voicesurvey')
    .description('compliant AI outbound phone surveys')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerServeCommand(program, ctx);
  registerDbCommands(program, ctx);
  registerSimulateCommand(program, ctx);
  registerExportCommand(program, ctx);
  registerSettingsCommands(program, ctx);
  registerAuthCommands(program, ctx);
  registerContactsCommands(program, ctx);
  registerExclusionCommands(program, ctx);
  registerSimulatorCommand(program, ctx);
  registerNluCommands(program, ctx, {
    llmInterpreter: (c) => {
      if (c.config().llm.provider === 'none') throw new CliError('--interpreter llm needs LLM_PROVIDER (openai or anthropic), LLM_API_KEY and LLM_MODEL', EXIT.usage);
      return createInterpreter(c.config(), c.log());
    },
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are printed by commander and end with exit code 0
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    let config;
    try {
      config = ctx.config();
    } catch {
      config = undefined;
    }
    const { message, exitCode } = explainError(err, config, env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace');
    process.stderr.write(`voicesurvey: ${message}\n`);
    return exitCode;
  }
}
