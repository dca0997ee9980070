/**
 * Number words in English and Italian → numbers, over normalized tokens
 * (see normalize.ts). Handles digits, "twenty one", "one hundred and five",
 * "twelve hundred", Italian compounds ("ventidue", "centottanta",
 * "duemilatrecento"), "and a half"/"e mezzo", and approximate counts
 * ("una ventina", "a couple", "a dozen").
 */

const EN_SMALL: Record<string, number> = {
  zero: 0, nought: 0, naught: 0, nil: 0,
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16,
  seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const MULTIPLIERS: Record<string, number> = {
  hundred: 100, hundreds: 100, thousand: 1000, thousands: 1000, million: 1_000_000, millions: 1_000_000,
  mila: 1000, milione: 1_000_000, milioni: 1_000_000, dozen: 12, dozens: 12,
};
/** Counts that are approximate by nature. */
const APPROX: Record<string, number> = {
  couple: 2, paio: 2, decina: 10, dozzina: 12, quindicina: 15, ventina: 20, trentina: 30, quarantina: 40,
  cinquantina: 50, sessantina: 60, settantina: 70, ottantina: 80, novantina: 90, centinaio: 100, migliaio: 1000,
};
const ADVERBS: Record<string, number> = { once: 1, twice: 2, thrice: 3 };

const IT_UNITS: Record<string, number> = { uno: 1, due: 2, tre: 3, quattro: 4, cinque: 5, sei: 6, sette: 7, otto: 8, nove: 9 };
const IT_TEENS: Record<string, number> = {
  dieci: 10, undici: 11, dodici: 12, tredici: 13, quattordici: 14, quindici: 15, sedici: 16,
  diciassette: 17, diciotto: 18, diciannove: 19,
};
const IT_TENS: [string, number][] = [
  ['venti', 20], ['trenta', 30], ['quaranta', 40], ['cinquanta', 50], ['sessanta', 60], ['settanta', 70], ['ottanta', 80], ['novanta', 90],
];

function itBelow100(s: string): number | null {
  if (s in IT_TEENS) return IT_TEENS[s]!;
  if (s in IT_UNITS) return IT_UNITS[s]!;
  for (const [word, value] of IT_TENS) {
    if (s === word) return value;
    if (s.startsWith(word)) {
      const rest = s.slice(word.length);
      if (rest in IT_UNITS && rest !== 'uno' && rest !== 'otto') return value + IT_UNITS[rest]!;
    }
    // Elision before a vowel: vent+uno, trent+otto, vent+un.
    const stem = word.slice(0, -1);
    if (s.startsWith(stem)) {
      const rest = s.slice(stem.length);
      if (rest === 'uno' || rest === 'un') return value + 1;
      if (rest === 'otto') return value + 8;
    }
  }
  return null;
}

function itBelow1000(s: string): number | null {
  if (s === '') return null;
  const direct = itBelow100(s);
  if (direct !== null) return direct;
  const m = /^(due|tre|quattro|cinque|sei|sette|otto|nove)?cent(.*)$/.exec(s);
  if (!m) return null;
  const hundreds = (m[1] ? IT_UNITS[m[1]]! : 1) * 100;
  const rest = m[2]!;
  if (rest === 'o') return hundreds;
  // "centotto" (cento+otto) and "centottanta" (cent+ottanta) both start with "o".
  for (const r of [rest.startsWith('o') ? rest.slice(1) : null, rest]) {
    if (r === null || r === '') continue;
    const v = itBelow100(r);
    if (v !== null) return hundreds + v;
  }
  return null;
}

/** An Italian number written as one word ("duemilatrecentoquarantacinque"), or null. */
export function italianNumberWord(s: string): number | null {
  if (s === 'mille') return 1000;
  if (s.startsWith('mille')) {
    const r = itBelow1000(s.slice(5).replace(/^e(?=[^n])/, ''));
    return r === null ? null : 1000 + r;
  }
  const i = s.indexOf('mila');
  if (i > 0) {
    const head = itBelow1000(s.slice(0, i));
    if (head === null || head < 2) return null;
    const tail = s.slice(i + 4);
    if (tail === '') return head * 1000;
    const r = itBelow1000(tail.replace(/^e(?=[^n])/, ''));
    return r === null ? null : head * 1000 + r;
  }
  return itBelow1000(s);
}

interface Classified {
  /** Its value as a standalone number. */
  value?: number;
  /** Multiplies a preceding number ("hundred", "mila"). */
  multiplier?: number;
  digits?: boolean;
  approx?: boolean;
}

function classify(t: string, next: string | undefined, prev: string | undefined): Classified | null {
  if (/^\d+(\.\d+)?$/.test(t)) return { value: Number(t), digits: true };
  if (t in EN_SMALL) return { value: EN_SMALL[t] };
  if (t in ADVERBS) return { value: ADVERBS[t] };
  if (t in APPROX) return { value: APPROX[t], approx: true };
  if (t in MULTIPLIERS) return { multiplier: MULTIPLIERS[t] };
  if (t === 'cento') return { value: 100, multiplier: 100 };
  // Articles count as "one" only before a multiplier: "a hundred", "un milione".
  if ((t === 'a' || t === 'an' || t === 'un' || t === 'one') && next !== undefined && next in MULTIPLIERS) return { value: 1 };
  // "una" is a number in "una volta", "una sola", or on its own; otherwise an article.
  if (t === 'una') return next === undefined || next === ',' || next === 'volta' || next === 'sola' || next === 'o' || next === 'e' ? { value: 1 } : null;
  if (t === 'uno') return prev === 'per' ? null : { value: 1 };
  if (t === 'un') return null;
  const it = italianNumberWord(t);
  if (it !== null) return { value: it };
  return null;
}

export interface NumberSpan {
  readonly value: number;
  /** Token index of the first and last token of the number. */
  readonly start: number;
  readonly end: number;
  readonly approx: boolean;
}

/** Largest power of ten dividing n (1 for n not a multiple of 10). */
function room(n: number): number {
  if (!Number.isInteger(n) || n === 0) return 1;
  let r = 1;
  while (n % (r * 10) === 0) r *= 10;
  return r;
}

/** Every number expressed in the tokens, in order. */
export function extractNumbers(tokens: readonly string[]): NumberSpan[] {
  const spans: NumberSpan[] = [];
  let cur: { total: number; part: number; start: number; end: number; digits: boolean; approx: boolean } | null = null;
  const value = () => (cur ? cur.total + cur.part : 0);
  const flush = () => {
    if (cur) spans.push({ value: cur.total + cur.part, start: cur.start, end: cur.end, approx: cur.approx });
    cur = null;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const c = classify(t, tokens[i + 1], tokens[i - 1]);
    if (!c) {
      if (cur && (t === 'and' || t === 'e')) {
        const n1 = tokens[i + 1];
        const n2 = tokens[i + 2];
        if (n1 === 'a' && n2 === 'half') {
          cur.part += 0.5;
          cur.end = i + 2;
          i += 2;
          continue;
        }
        if (n1 === 'mezzo' || n1 === 'mezza') {
          cur.part += 0.5;
          cur.end = i + 1;
          i += 1;
          continue;
        }
        const nc = n1 === undefined ? null : classify(n1, n2, t);
        const v = value();
        if (nc?.value !== undefined && !nc.digits && !cur.digits && v >= 100 && nc.value < room(v)) continue; // "one hundred and five"
      }
      flush();
      continue;
    }
    if (c.multiplier !== undefined && cur) {
      const m = c.multiplier;
      const v = value();
      if (m === 100 && cur.part > 0 && cur.part < 100 && Number.isInteger(cur.part)) {
        cur.part *= 100;
        cur.end = i;
        continue;
      }
      if (m === 12 && v > 0 && v < 10) {
        cur.part *= 12;
        cur.end = i;
        continue;
      }
      if (m >= 1000 && v > 0 && v < m) {
        cur.total = v * m;
        cur.part = 0;
        cur.end = i;
        continue;
      }
    }
    const v = c.value ?? c.multiplier!;
    if (cur && !c.digits && !cur.digits && !c.approx && !cur.approx) {
      const have = value();
      const teen = have >= 10 && have < 20;
      if (have > 0 && !teen && v < room(have) && v > 0) {
        cur.part += v;
        cur.end = i;
        continue;
      }
    }
    flush();
    cur = { total: 0, part: v, start: i, end: i, digits: c.digits === true, approx: c.approx === true };
  }
  flush();
  return spans;
}
