import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, parseCorpus } from './evaluate.js';
import { interpretRules } from './rules.js';
import type { InterpretInput } from './types.js';

const scale = (language: 'en' | 'it', text: string, bounds: [number, number] = [1, 10]): InterpretInput => ({ stage: 'answer', questionType: 'scale', scale: bounds, language, text });
const numeric = (language: 'en' | 'it', text: string): InterpretInput => ({ stage: 'answer', questionType: 'numeric', language, text });
const consent = (language: 'en' | 'it', text: string, now?: Date): InterpretInput => ({ stage: 'consent', language, text, ...(now ? { now, timeZone: 'Europe/Rome' } : {}) });

describe('rules interpreter', () => {
  it('reaches at least 97% on the labelled corpus', async () => {
    const report = await evaluate(parseCorpus(readFileSync(new URL('../../../nlu/corpus.jsonl', import.meta.url), 'utf8')), interpretRules);
    expect(report.cases).toBeGreaterThanOrEqual(300);
    expect(report.accuracy, JSON.stringify(report.failures.slice(0, 10))).toBeGreaterThanOrEqual(0.97);
  });

  it('reaches at least 95% on the independently written hold-out set', async () => {
    const report = await evaluate(parseCorpus(readFileSync(new URL('../../../nlu/holdout.jsonl', import.meta.url), 'utf8')), interpretRules);
    expect(report.cases).toBeGreaterThanOrEqual(80);
    expect(report.accuracy, JSON.stringify(report.failures.slice(0, 10))).toBeGreaterThanOrEqual(0.95);
  });

  it('reads number words in both languages up to thousands', () => {
    const cases: [string, 'en' | 'it', number][] = [
      ['twenty-one', 'en', 21], ['ninety nine', 'en', 99], ['one hundred and five', 'en', 105], ['two thousand three hundred', 'en', 2300],
      ['ventidue', 'it', 22], ['trentuno', 'it', 31], ['cento', 'it', 100], ['duemila', 'it', 2000], ['centottanta', 'it', 180],
      ['milleottocentoventi', 'it', 1820], ['tremilaquattrocentocinquantasei', 'it', 3456], ['ventotto', 'it', 28],
    ];
    for (const [text, lang, value] of cases) expect(interpretRules(numeric(lang, text)), text).toMatchObject({ intent: 'answer', value });
  });

  it('takes the last value of a self-correction', () => {
    expect(interpretRules(scale('en', 'seven, no actually eight'))).toMatchObject({ intent: 'answer', value: 8 });
    expect(interpretRules(scale('it', 'sei, anzi sette'))).toMatchObject({ intent: 'answer', value: 7 });
    expect(interpretRules(numeric('it', 'tre volte, cioè quattro'))).toMatchObject({ intent: 'answer', value: 4 });
  });

  it('treats ranges, comparisons, fractions on a scale and out-of-scale values as unclear', () => {
    for (const t of ['two or three', 'between 6 and 7', 'tra 6 e 7', 'sette o otto', 'eleven', 'zero', 'seven and a half']) {
      expect(interpretRules(scale(t.match(/[a-z]/) && /tra|sette/.test(t) ? 'it' : 'en', t)).intent, t).toBe('unclear');
    }
    expect(interpretRules(numeric('en', 'more than ten')).intent).toBe('unclear');
    expect(interpretRules(scale('en', 'six', [1, 5])).intent).toBe('unclear');
  });

  it('ignores denominators and echoes of the scale', () => {
    expect(interpretRules(scale('en', 'nine out of ten'))).toMatchObject({ intent: 'answer', value: 9 });
    expect(interpretRules(scale('it', 'otto su dieci'))).toMatchObject({ intent: 'answer', value: 8 });
    expect(interpretRules(scale('en', 'from one to ten, a six'))).toMatchObject({ intent: 'answer', value: 6 });
    expect(interpretRules(scale('it', 'gli do un 6'))).toMatchObject({ intent: 'answer', value: 6 });
  });

  it('is case- and accent-insensitive', () => {
    expect(interpretRules(consent('it', 'SÌ, VA BENE')).intent).toBe('yes');
    expect(interpretRules(consent('it', 'si va bene')).intent).toBe('yes');
    expect(interpretRules(numeric('it', 'OTTANTATRÉ'))).toMatchObject({ value: 83 });
    expect(interpretRules(consent('it', 'NON CHIAMATEMI PIU')).intent).toBe('opt_out');
  });

  it('does not take the Italian pronoun "si" for a yes', () => {
    expect(interpretRules(consent('it', 'ma di cosa si tratta?')).intent).toBe('unclear');
  });

  it('recognises opt-out before anything else, and ending mid-way as no', () => {
    expect(interpretRules(consent('en', "no, and don't call me again")).intent).toBe('opt_out');
    expect(interpretRules(scale('it', 'basta, arrivederci')).intent).toBe('no');
    // A negated callback is an opt-out, never a callback.
    expect(interpretRules(consent('en', "please don't call back")).intent).toBe('opt_out');
    expect(interpretRules(consent('it', 'non mi richiamate')).intent).toBe('opt_out');
    expect(interpretRules(scale('it', 'mi richiami più tardi')).intent).toBe('callback');
  });

  it('parses callback times in the respondent time zone', () => {
    // Friday 27 November 2026, 10:00 in Rome (09:00 UTC).
    const now = new Date('2026-11-27T09:00:00Z');
    expect(interpretRules(consent('en', 'call me tomorrow', now)).callbackAt?.toISOString()).toBe('2026-11-28T09:00:00.000Z');
    expect(interpretRules(consent('it', 'mi richiami stasera', now)).callbackAt?.toISOString()).toBe('2026-11-27T18:00:00.000Z');
    expect(interpretRules(consent('it', 'richiamate lunedì', now)).callbackAt?.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(interpretRules(consent('en', 'call me back in an hour', now)).callbackAt?.toISOString()).toBe('2026-11-27T10:00:00.000Z');
    expect(interpretRules(consent('it', 'mi richiami domani alle 15:30', now)).callbackAt?.toISOString()).toBe('2026-11-28T14:30:00.000Z');
    expect(interpretRules(consent('it', 'richiamate domani alle nove e mezza', now)).callbackAt?.toISOString()).toBe('2026-11-28T08:30:00.000Z');
    expect(interpretRules(consent('en', 'call me at half past five', now)).callbackAt?.toISOString()).toBe('2026-11-27T16:30:00.000Z');
    // Today is Friday: "Friday afternoon" is today, "on Friday" alone is next week.
    expect(interpretRules(consent('en', 'call me Friday afternoon', now)).callbackAt?.toISOString()).toBe('2026-11-27T14:00:00.000Z');
    expect(interpretRules(consent('en', 'call me on Friday', now)).callbackAt?.toISOString()).toBe('2026-12-04T09:00:00.000Z');
    const later = interpretRules(consent('en', 'call me back later', now));
    expect(later.intent).toBe('callback');
    expect(later.callbackAt).toBeUndefined();
  });

  it('takes free text as the answer, but still hears repeat, opt-out and stop', () => {
    const ft = (text: string): InterpretInput => ({ stage: 'answer', questionType: 'free_text', language: 'en', text });
    expect(interpretRules(ft('  Shorter queues at the till '))).toMatchObject({ intent: 'answer', value: 'Shorter queues at the till' });
    expect(interpretRules(ft('can you repeat the question')).intent).toBe('repeat');
    expect(interpretRules(ft('you people never call back when you promise to and I had to wait for weeks')).intent).toBe('answer');
  });

  it('lowers confidence with the speech recogniser confidence', () => {
    const sure = interpretRules({ ...scale('en', 'seven'), asrConfidence: 0.95 });
    const unsure = interpretRules({ ...scale('en', 'seven'), asrConfidence: 0.3 });
    expect(unsure.confidence).toBeLessThan(sure.confidence);
    expect(sure.confidence).toBeLessThanOrEqual(1);
  });

  it('answers any in-scale integer said as digits or words (property)', () => {
    const en = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
    const it_ = ['zero', 'uno', 'due', 'tre', 'quattro', 'cinque', 'sei', 'sette', 'otto', 'nove', 'dieci'];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.constantFrom('en', 'it'), fc.boolean(), (v, lang, digits) => {
        const word = digits ? String(v) : lang === 'en' ? en[v]! : it_[v]!;
        const text = lang === 'en' ? `I would say ${word}` : `direi ${word}`;
        const r = interpretRules({ stage: 'answer', questionType: 'scale', scale: [0, 10], language: lang as 'en' | 'it', text });
        expect(r).toMatchObject({ intent: 'answer', value: v });
      }),
    );
  });
});
