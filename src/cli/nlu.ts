/**
 * `voicesurvey nlu interpret …` and `voicesurvey nlu eval FILE.jsonl`: try the
 * interpreter on one utterance, or score it against a labelled corpus.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { evaluate, formatReport, parseCorpus } from '../domain/interpreter/evaluate.js';
import { interpretRules } from '../domain/interpreter/rules.js';
import type { InterpretInput, QuestionType } from '../domain/interpreter/types.js';
import type { Interpreter } from '../domain/ports/interpreter.js';
import { CliError, EXIT, type CliContext } from './context.js';

export interface NluDeps {
  /** Builds the LLM interpreter from configuration; absent when none is configured. */
  llmInterpreter?: (ctx: CliContext) => Interpreter;
}

function parseScale(s: string): [number, number] {
  const m = /^(-?\d+)\s*[-:,]\s*(-?\d+)$/.exec(s.trim());
  if (!m || Number(m[1]) >= Number(m[2])) throw new CliError(`--scale must look like 1-10 (got "${s}")`, EXIT.usage);
  return [Number(m[1]), Number(m[2])];
}

export function registerNluCommands(program: Command, ctx: CliContext, deps: NluDeps = {}): void {
  const nlu = program.command('nlu').description('the speech interpreter: try it, or score it on a corpus');

  const pick = (name: string | undefined): ((input: InterpretInput) => Promise<unknown> | unknown) => {
    if (!name || name === 'rules') return interpretRules;
    if (name === 'llm') {
      if (!deps.llmInterpreter) throw new CliError('the LLM interpreter is not available in this build', EXIT.usage);
      const llm = deps.llmInterpreter(ctx);
      return (input: InterpretInput) => llm.interpret(input);
    }
    throw new CliError(`--interpreter must be rules or llm (got "${name}")`, EXIT.usage);
  };

  nlu
    .command('interpret')
    .description('interpret one utterance and print the result as JSON')
    .argument('<text...>', 'what the respondent said')
    .option('--lang <lang>', 'en or it', 'en')
    .option('--stage <stage>', 'consent or answer', 'answer')
    .option('--type <type>', 'free_text, numeric or scale (answer stage)', 'scale')
    .option('--scale <min-max>', 'scale bounds', '1-10')
    .option('--now <iso>', 'reference time for callback requests (default: now)')
    .option('--tz <zone>', 'IANA time zone for callback requests', 'Europe/Rome')
    .option('--interpreter <name>', 'rules or llm', 'rules')
    .action(async (words: string[], opts: { lang: string; stage: string; type: string; scale: string; now?: string; tz: string; interpreter: string }) => {
      if (opts.lang !== 'en' && opts.lang !== 'it') throw new CliError(`--lang must be en or it (got "${opts.lang}")`, EXIT.usage);
      if (opts.stage !== 'consent' && opts.stage !== 'answer') throw new CliError(`--stage must be consent or answer (got "${opts.stage}")`, EXIT.usage);
      if (!['free_text', 'numeric', 'scale'].includes(opts.type)) throw new CliError(`--type must be free_text, numeric or scale (got "${opts.type}")`, EXIT.usage);
      const now = opts.now ? new Date(opts.now) : new Date();
      if (Number.isNaN(now.getTime())) throw new CliError(`--now must be an ISO time (got "${opts.now}")`, EXIT.usage);
      const input: InterpretInput = {
        stage: opts.stage,
        language: opts.lang,
        text: words.join(' '),
        now,
        timeZone: opts.tz,
        ...(opts.stage === 'answer' ? { questionType: opts.type as QuestionType, scale: parseScale(opts.scale) } : {}),
      };
      const result = await pick(opts.interpreter)(input);
      ctx.print(JSON.stringify(result));
    });

  nlu
    .command('eval')
    .description('score the interpreter on a JSON-lines corpus; the last line is "accuracy: X (N cases)"')
    .argument('<file>', 'corpus file (.jsonl)')
    .option('--interpreter <name>', 'rules or llm', 'rules')
    .option('--failures', 'list every case it got wrong')
    .option('--min <accuracy>', 'exit with status 1 when accuracy is below this')
    .action(async (file: string, opts: { interpreter: string; failures?: boolean; min?: string }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new CliError(`cannot read ${file}`, EXIT.usage);
      }
      let cases;
      try {
        cases = parseCorpus(text);
      } catch (err) {
        throw new CliError(`${file}: ${(err as Error).message}`, EXIT.usage);
      }
      const fn = pick(opts.interpreter);
      const report = await evaluate(cases, (input) => fn(input) as never);
      ctx.print(formatReport(report, { showFailures: opts.failures === true }));
      if (opts.min !== undefined && report.accuracy < Number(opts.min)) throw new CliError(`accuracy ${report.accuracy.toFixed(3)} is below ${opts.min}`);
    });
}
