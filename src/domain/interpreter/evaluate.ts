/**
 * Scoring an interpreter against a labelled corpus: per-intent precision and
 * recall, value accuracy, confusions, and overall accuracy (intent right and,
 * where the case gives a value, the value right too). Pure over parsed cases.
 */
import { z } from 'zod';
import { fold } from './normalize.js';
import { INTENTS, type Intent, type InterpretInput, type Interpretation } from './types.js';

export const corpusCaseSchema = z.object({
  lang: z.enum(['en', 'it']),
  stage: z.enum(['consent', 'answer']),
  question_type: z.enum(['free_text', 'numeric', 'scale']).optional(),
  scale: z.tuple([z.number().int(), z.number().int()]).optional(),
  text: z.string(),
  asr_confidence: z.number().min(0).max(1).optional(),
  expect: z.object({ intent: z.enum(INTENTS), value: z.union([z.number(), z.string()]).optional() }),
});
export type CorpusCase = z.infer<typeof corpusCaseSchema>;

/** Parses JSON lines; blank lines and lines starting with `//` are skipped. Throws naming the bad line. */
export function parseCorpus(text: string): CorpusCase[] {
  const out: CorpusCase[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.trim().startsWith('//')) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1}: not valid JSON`);
    }
    const r = corpusCaseSchema.safeParse(json);
    if (!r.success) throw new Error(`line ${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    out.push(r.data);
  });
  return out;
}

export function caseInput(c: CorpusCase): InterpretInput {
  return {
    stage: c.stage,
    language: c.lang,
    text: c.text,
    ...(c.stage === 'answer' ? { questionType: c.question_type ?? 'free_text' } : {}),
    ...(c.scale ? { scale: c.scale } : c.question_type === 'scale' ? { scale: [1, 10] as const } : {}),
    ...(c.asr_confidence !== undefined ? { asrConfidence: c.asr_confidence } : {}),
  };
}

const normText = (s: string) => fold(s).replace(/[^a-z0-9]+/g, ' ').trim();

export function sameValue(expected: number | string, actual: number | string | undefined): boolean {
  if (actual === undefined) return false;
  if (typeof expected === 'number') return typeof actual === 'number' && Math.abs(expected - actual) < 1e-9;
  return normText(String(actual)) === normText(expected);
}

export interface EvalReport {
  readonly cases: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly perIntent: Record<Intent, { tp: number; fp: number; fn: number; precision: number; recall: number }>;
  readonly valueCases: number;
  readonly valueCorrect: number;
  /** "expected→got" → count. */
  readonly confusions: Record<string, number>;
  readonly failures: { text: string; expected: CorpusCase['expect']; got: Interpretation }[];
}

export async function evaluate(cases: readonly CorpusCase[], interpret: (input: InterpretInput) => Promise<Interpretation> | Interpretation): Promise<EvalReport> {
  const perIntent = Object.fromEntries(INTENTS.map((i) => [i, { tp: 0, fp: 0, fn: 0, precision: 1, recall: 1 }])) as EvalReport['perIntent'];
  const confusions: Record<string, number> = {};
  const failures: EvalReport['failures'] = [];
  let correct = 0;
  let valueCases = 0;
  let valueCorrect = 0;
  for (const c of cases) {
    const got = await interpret(caseInput(c));
    const intentOk = got.intent === c.expect.intent;
    if (intentOk) perIntent[got.intent].tp++;
    else {
      perIntent[got.intent].fp++;
      perIntent[c.expect.intent].fn++;
      const key = `${c.expect.intent}→${got.intent}`;
      confusions[key] = (confusions[key] ?? 0) + 1;
    }
    let valueOk = true;
    if (c.expect.value !== undefined) {
      valueCases++;
      valueOk = intentOk && sameValue(c.expect.value, got.value);
      if (valueOk) valueCorrect++;
    }
    if (intentOk && valueOk) correct++;
    else failures.push({ text: c.text, expected: c.expect, got });
  }
  for (const s of Object.values(perIntent)) {
    s.precision = s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp);
    s.recall = s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn);
  }
  return { cases: cases.length, correct, accuracy: cases.length ? correct / cases.length : 0, perIntent, valueCases, valueCorrect, confusions, failures };
}

/** The report as printed by `voicesurvey nlu eval`; the last line is `accuracy: 0.973 (N cases)`. */
export function formatReport(r: EvalReport, opts: { showFailures?: boolean } = {}): string {
  const lines: string[] = ['intent     precision  recall   support'];
  for (const [intent, s] of Object.entries(r.perIntent)) {
    lines.push(`${intent.padEnd(10)} ${s.precision.toFixed(3).padStart(9)}  ${s.recall.toFixed(3).padStart(6)}   ${String(s.tp + s.fn).padStart(7)}`);
  }
  lines.push(`values: ${r.valueCorrect}/${r.valueCases} right (${r.valueCases ? (r.valueCorrect / r.valueCases).toFixed(3) : '1.000'})`);
  const conf = Object.entries(r.confusions).sort((a, b) => b[1] - a[1]);
  lines.push(conf.length ? `confusions (expected→got): ${conf.map(([k, n]) => `${k} ×${n}`).join(', ')}` : 'confusions: none');
  if (opts.showFailures) {
    for (const f of r.failures) {
      lines.push(`  ✗ ${JSON.stringify(f.text)} expected ${f.expected.intent}${f.expected.value !== undefined ? `=${f.expected.value}` : ''}, got ${f.got.intent}${f.got.value !== undefined ? `=${f.got.value}` : ''}`);
    }
  }
  lines.push(`accuracy: ${r.accuracy.toFixed(3)} (${r.cases} cases)`);
  return lines.join('\n');
}
