import { describe, expect, it } from 'vitest';
import { extractNumbers, italianNumberWord } from './numbers.js';
import { tokenize } from './normalize.js';

/** Independent spellers (written for the test, not derived from the parser). */
const EN_ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
function en(n: number, and: boolean): string {
  if (n < 20) return EN_ONES[n]!;
  if (n < 100) return EN_TENS[Math.floor(n / 10)]! + (n % 10 ? `-${EN_ONES[n % 10]}` : '');
  if (n < 1000) return `${EN_ONES[Math.floor(n / 100)]} hundred${n % 100 ? `${and ? ' and' : ''} ${en(n % 100, and)}` : ''}`;
  return `${en(Math.floor(n / 1000), and)} thousand${n % 1000 ? ` ${en(n % 1000, and)}` : ''}`;
}
const IT_ONES = ['zero', 'uno', 'due', 'tre', 'quattro', 'cinque', 'sei', 'sette', 'otto', 'nove', 'dieci', 'undici', 'dodici', 'tredici', 'quattordici', 'quindici', 'sedici', 'diciassette', 'diciotto', 'diciannove'];
const IT_TENS = ['', '', 'venti', 'trenta', 'quaranta', 'cinquanta', 'sessanta', 'settanta', 'ottanta', 'novanta'];
function it_(n: number): string {
  if (n < 20) return IT_ONES[n]!;
  if (n < 100) {
    const t = IT_TENS[Math.floor(n / 10)]!;
    const u = n % 10;
    if (!u) return t;
    const unit = u === 3 ? 'tré' : IT_ONES[u]!;
    return (u === 1 || u === 8 ? t.slice(0, -1) : t) + unit;
  }
  if (n < 1000) {
    const h = Math.floor(n / 100);
    const rest = n % 100;
    const head = h === 1 ? 'cento' : `${IT_ONES[h]}cento`;
    if (!rest) return head;
    const tail = it_(rest);
    // "centottanta", but "centootto"/"centotto" both exist; use the elided form for 80s.
    return Math.floor(rest / 10) === 8 ? head.slice(0, -1) + tail : head + tail;
  }
  const th = Math.floor(n / 1000);
  const rest = n % 1000;
  const head = th === 1 ? 'mille' : `${it_(th)}mila`;
  return head + (rest ? it_(rest) : '');
}

describe('number words', () => {
  it('reads every English number from 0 to 9999 (with and without "and")', () => {
    for (let n = 0; n < 10000; n += n < 200 ? 1 : 7) {
      for (const and of [false, true]) {
        const words = en(n, and);
        expect(extractNumbers(tokenize(words)).map((s) => s.value), words).toEqual([n]);
      }
    }
  });

  it('reads every Italian number from 0 to 9999 written as one word, accents or not', () => {
    for (let n = 0; n < 10000; n += n < 200 ? 1 : 7) {
      const word = it_(n);
      expect(extractNumbers(tokenize(word)).map((s) => s.value), word).toEqual([n]);
    }
    expect(italianNumberWord('centomila')).toBe(100000);
    expect(italianNumberWord('centootto')).toBe(108);
    expect(italianNumberWord('centotto')).toBe(108);
  });

  it('keeps separate numbers apart and combines spoken compounds', () => {
    const v = (s: string) => extractNumbers(tokenize(s)).map((x) => x.value);
    expect(v('two three')).toEqual([2, 3]);
    expect(v('twenty five')).toEqual([25]);
    expect(v('cento venti')).toEqual([120]);
    expect(v('due mila')).toEqual([2000]);
    expect(v('7 8')).toEqual([7, 8]);
    expect(v('7,5')).toEqual([7.5]);
    expect(v('1.000')).toEqual([1000]);
    expect(v('ten fifteen')).toEqual([10, 15]);
  });
});
