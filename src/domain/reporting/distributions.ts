/**
 * Percentiles and answer distributions from pre-aggregated counts. Pure.
 */

/** One value and how many times it occurred. */
export interface ValueCount {
  readonly value: number;
  readonly count: number;
}

/**
 * The p-th percentile (0 < p ≤ 1, nearest-rank) of a distribution given as
 * value counts; null when empty. Nearest-rank returns a value that occurred,
 * which is what a reader of "P95 call duration: 212 s" expects.
 */
export function percentileOfCounts(counts: readonly ValueCount[], p: number): number | null {
  const sorted = counts.filter((c) => c.count > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((s, c) => s + c.count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const c of sorted) {
    seen += c.count;
    if (seen >= rank) return c.value;
  }
  return sorted[sorted.length - 1]!.value;
}

/** Mean of a distribution given as value counts; null when empty. */
export function meanOfCounts(counts: readonly ValueCount[]): number | null {
  let total = 0;
  let sum = 0;
  for (const c of counts) {
    if (c.count <= 0) continue;
    total += c.count;
    sum += c.value * c.count;
  }
  return total === 0 ? null : sum / total;
}

export interface HistogramBin {
  /** Label: the value (`"7"`) or a range (`"10–19"`). */
  readonly label: string;
  /** Inclusive lower bound. */
  readonly from: number;
  /** Inclusive upper bound for integer bins, exclusive for range bins (except the last). */
  readonly to: number;
  readonly count: number;
}

export interface AnswerDistribution {
  /** Responses with an answer to this question. */
  readonly responses: number;
  /** Distinct (normalized) answers. */
  readonly distinct: number;
  /** Scale / numeric: bins. */
  readonly histogram?: readonly HistogramBin[];
  /** Scale / numeric: answers that are not a number (or outside the scale). */
  readonly unparsed?: number;
  /** Free text: the most frequent answers. */
  readonly top?: readonly { readonly answer: string; readonly count: number }[];
}

export interface AnswerCount {
  readonly answer: string;
  readonly count: number;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function parseNumber(answer: string): number | null {
  const a = answer.trim().replace(',', '.');
  return NUMBER.test(a) ? Number(a) : null;
}

/** One bin per integer of the scale; anything else is `unparsed`. */
export function scaleHistogram(answers: readonly AnswerCount[], min: number, max: number): AnswerDistribution {
  const bins = new Map<number, number>();
  for (let v = min; v <= max; v++) bins.set(v, 0);
  let unparsed = 0;
  let responses = 0;
  for (const a of answers) {
    responses += a.count;
    const n = parseNumber(a.answer);
    if (n === null || !Number.isInteger(n) || n < min || n > max) unparsed += a.count;
    else bins.set(n, bins.get(n)! + a.count);
  }
  return {
    responses,
    distinct: answers.length,
    unparsed,
    histogram: [...bins].map(([v, count]) => ({ label: String(v), from: v, to: v, count })),
  };
}

/**
 * Numeric answers: one bin per integer when they span at most `maxBins`
 * integers, otherwise `maxBins` equal-width bins between the smallest and the
 * largest value.
 */
export function numericHistogram(answers: readonly AnswerCount[], maxBins = 10): AnswerDistribution {
  const values: ValueCount[] = [];
  let unparsed = 0;
  let responses = 0;
  for (const a of answers) {
    responses += a.count;
    const n = parseNumber(a.answer);
    if (n === null) unparsed += a.count;
    else values.push({ value: n, count: a.count });
  }
  if (values.length === 0) return { responses, distinct: answers.length, unparsed, histogram: [] };
  const lo = Math.min(...values.map((v) => v.value));
  const hi = Math.max(...values.map((v) => v.value));
  const allIntegers = values.every((v) => Number.isInteger(v.value));
  let histogram: HistogramBin[];
  if (allIntegers && hi - lo + 1 <= maxBins) {
    const bins = new Map<number, number>();
    for (let v = lo; v <= hi; v++) bins.set(v, 0);
    for (const v of values) bins.set(v.value, bins.get(v.value)! + v.count);
    histogram = [...bins].map(([v, count]) => ({ label: String(v), from: v, to: v, count }));
  } else {
    const width = (hi - lo) / maxBins || 1;
    const counts = new Array<number>(maxBins).fill(0);
    for (const v of values) counts[Math.min(maxBins - 1, Math.floor((v.value - lo) / width))]! += v.count;
    histogram = counts.map((count, i) => {
      const from = lo + i * width;
      const to = i === maxBins - 1 ? hi : lo + (i + 1) * width;
      return { label: `${round(from)}–${round(to)}`, from, to, count };
    });
  }
  return { responses, distinct: answers.length, unparsed, histogram };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Free text: the `n` most frequent answers (ties by answer text). */
export function freeTextTop(answers: readonly AnswerCount[], totals: { responses: number; distinct: number }, n: number): AnswerDistribution {
  const top = [...answers].sort((a, b) => b.count - a.count || a.answer.localeCompare(b.answer)).slice(0, n);
  return { responses: totals.responses, distinct: totals.distinct, top };
}
