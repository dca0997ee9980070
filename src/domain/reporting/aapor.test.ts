import { describe, expect, it } from 'vitest';
import { aaporRates, baseCategory, categorize, countCategories, emptyCounts } from './aapor.js';

describe('AAPOR disposition mapping', () => {
  it.each([
    [{ state: 'completed', lastOutcome: 'completed', attempts: 1 }, 'I'],
    [{ state: 'refused', lastOutcome: 'refused', attempts: 2 }, 'R'],
    // opted out during the call: contact excluded afterwards, last outcome refused
    [{ state: 'excluded', lastOutcome: 'refused', attempts: 1 }, 'R'],
    [{ state: 'not_reached', lastOutcome: 'no_answer', attempts: 3 }, 'NC'],
    [{ state: 'pending', lastOutcome: 'busy', attempts: 1 }, 'NC'],
    [{ state: 'not_reached', lastOutcome: 'voicemail', attempts: 3 }, 'NC'],
    [{ state: 'not_reached', lastOutcome: 'failed', attempts: 3 }, 'U'],
    [{ state: 'pending', lastOutcome: null, attempts: 0 }, 'U'],
    [{ state: 'in_progress', lastOutcome: null, attempts: 1 }, 'U'],
    [{ state: 'excluded', lastOutcome: null, attempts: 0 }, 'X'],
    [{ state: 'not_reached', lastOutcome: 'language_barrier', attempts: 1 }, 'O'],
  ] as const)('%j → %s', (d, expected) => {
    expect(baseCategory(d)).toBe(expected);
  });

  it('a consented but unfinished interview is a partial (P); a completed one stays I', () => {
    expect(categorize({ state: 'pending', lastOutcome: 'failed', attempts: 1, consented: true })).toBe('P');
    expect(categorize({ state: 'refused', lastOutcome: 'refused', attempts: 1, consented: true })).toBe('P');
    expect(categorize({ state: 'completed', lastOutcome: 'completed', attempts: 1, consented: true })).toBe('I');
    expect(categorize({ state: 'refused', lastOutcome: 'refused', attempts: 1, consented: false })).toBe('R');
  });

  it('counts groups, moving the consented share of a non-complete group to P', () => {
    const c = countCategories([
      { state: 'completed', lastOutcome: 'completed', attempts: 1, count: 40, consented: 40 },
      { state: 'not_reached', lastOutcome: 'failed', attempts: 3, count: 10, consented: 3 },
      { state: 'refused', lastOutcome: 'refused', attempts: 1, count: 20 },
      { state: 'excluded', lastOutcome: null, attempts: 0, count: 7 },
    ]);
    expect(c).toEqual({ I: 40, P: 3, R: 20, NC: 0, O: 0, U: 7, X: 7 });
  });
});

describe('AAPOR rates', () => {
  it('worked example: I=200 P=20 R=100 NC=150 O=30 U=500', () => {
    // denominator = (200+20) + (100+150+30) + 500 = 1000
    const r = aaporRates({ ...emptyCounts(), I: 200, P: 20, R: 100, NC: 150, O: 30, U: 500 });
    expect(r.RR1).toBeCloseTo(0.2, 12); //    200 / 1000
    expect(r.RR2).toBeCloseTo(0.22, 12); //   220 / 1000
    expect(r.COOP1).toBeCloseTo(200 / 350, 12); // 200 / (220 + 100 + 30)
    expect(r.REF1).toBeCloseTo(0.1, 12); //   100 / 1000
    expect(r.CON1).toBeCloseTo(0.35, 12); //  350 / 1000
  });

  it('excluded contacts (X) are outside every denominator', () => {
    const base = { ...emptyCounts(), I: 1, R: 1, NC: 2 };
    expect(aaporRates({ ...base, X: 1000 })).toEqual(aaporRates(base));
    expect(aaporRates(base).RR1).toBe(0.25);
  });

  it('zero denominators give null, never NaN or Infinity', () => {
    expect(aaporRates(emptyCounts())).toEqual({ RR1: null, RR2: null, COOP1: null, REF1: null, CON1: null });
    // only non-contacts: RR1 is 0 but COOP1 (no contacts at all) is undefined
    const r = aaporRates({ ...emptyCounts(), NC: 5 });
    expect(r.RR1).toBe(0);
    expect(r.CON1).toBe(0);
    expect(r.COOP1).toBeNull();
  });
});
