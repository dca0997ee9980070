/**
 * AAPOR final dispositions and outcome rates (AAPOR Standard Definitions,
 * telephone surveys of a named list). Pure: plain data in, plain data out.
 *
 * A contact's disposition is read from what the contacts table keeps for
 * every contact (state, last outcome, attempt count) plus, when the dialogue
 * data is available, whether the person consented. The mapping and the
 * reasons behind each choice are documented in docs/reporting.md.
 */

/** AAPOR categories; `X` = not part of the released sample (excluded before any call). */
export type AaporCategory = 'I' | 'P' | 'R' | 'NC' | 'O' | 'U' | 'X';

export const AAPOR_CATEGORIES: readonly AaporCategory[] = ['I', 'P', 'R', 'NC', 'O', 'U', 'X'];

/** What is known about one contact (or a group of identical contacts). */
export interface Disposition {
  /** Contact state (pending, in_progress, completed, refused, not_reached, excluded). */
  readonly state: string;
  /** Outcome of the latest finished attempt (completed, refused, no_answer, busy, failed, voicemail, …) or null. */
  readonly lastOutcome: string | null;
  /** Number of attempts made so far. */
  readonly attempts: number;
}

/** Outcomes that mean the line was working but nobody (no person) took part. */
const NON_CONTACT_OUTCOMES = new Set(['no_answer', 'busy', 'voicemail', 'machine']);

/**
 * The AAPOR category of one contact whose consent status is unknown or "not
 * consented". A consented but unfinished contact is P: see `categorize`.
 */
export function baseCategory(d: Disposition): AaporCategory {
  if (d.state === 'completed' || d.lastOutcome === 'completed') return 'I';
  if (d.state === 'refused' || d.lastOutcome === 'refused') return 'R';
  if (d.attempts <= 0 && d.lastOutcome === null) {
    // Excluded before any call (do-not-call, exclusion list): never released, out of the sample.
    // Pending / never attempted: eligibility unknown.
    return d.state === 'excluded' ? 'X' : 'U';
  }
  if (d.lastOutcome === null) return 'U'; // first call in progress or not yet recorded
  if (NON_CONTACT_OUTCOMES.has(d.lastOutcome)) return 'NC';
  if (d.lastOutcome === 'failed') return 'U'; // network failure or dead number: cannot tell which
  return 'O'; // an outcome this mapping does not know yet
}

/** Category of one contact, with the consent flag from the dialogue data when known. */
export function categorize(d: Disposition & { readonly consented?: boolean }): AaporCategory {
  const base = baseCategory(d);
  if (base === 'I') return 'I';
  // Consent given but the interview not finished: a break-off after consent = partial.
  if (d.consented) return 'P';
  return base;
}

export type AaporCounts = Record<AaporCategory, number>;

export const emptyCounts = (): AaporCounts => ({ I: 0, P: 0, R: 0, NC: 0, O: 0, U: 0, X: 0 });

/**
 * Sums contacts into categories. Each group is `count` identical contacts of
 * which `consented` (≤ count, default 0) gave consent.
 */
export function countCategories(groups: readonly (Disposition & { readonly count: number; readonly consented?: number })[]): AaporCounts {
  const out = emptyCounts();
  for (const g of groups) {
    const base = baseCategory(g);
    if (base === 'I') {
      out.I += g.count;
      continue;
    }
    const partial = Math.min(Math.max(g.consented ?? 0, 0), g.count);
    out.P += partial;
    out[base] += g.count - partial;
  }
  return out;
}

export interface AaporRates {
  /** I / ((I+P) + (R+NC+O) + U) */
  readonly RR1: number | null;
  /** (I+P) / ((I+P) + (R+NC+O) + U) */
  readonly RR2: number | null;
  /** I / ((I+P) + R + O) */
  readonly COOP1: number | null;
  /** R / ((I+P) + (R+NC+O) + U) */
  readonly REF1: number | null;
  /** ((I+P) + R + O) / ((I+P) + (R+NC+O) + U) */
  readonly CON1: number | null;
}

/** null when the denominator is zero (no eligible contacts yet): a rate of "nothing" is undefined, not 0. */
const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/** The five rates, exactly as the AAPOR formulas (X is outside every denominator). */
export function aaporRates(c: AaporCounts): AaporRates {
  const all = c.I + c.P + (c.R + c.NC + c.O) + c.U;
  const contacted = c.I + c.P + c.R + c.O;
  return {
    RR1: ratio(c.I, all),
    RR2: ratio(c.I + c.P, all),
    COOP1: ratio(c.I, contacted),
    REF1: ratio(c.R, all),
    CON1: ratio(contacted, all),
  };
}
