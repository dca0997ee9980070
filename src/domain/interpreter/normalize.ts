/**
 * Text normalization shared by every rule: lower case, accents removed,
 * contractions expanded, punctuation reduced to spaces (commas and full stops
 * kept as a `,` token because they separate self-corrections).
 */

const CONTRACTIONS: [RegExp, string][] = [
  [/\bwon't\b/g, 'will not'],
  [/\bcan't\b/g, 'can not'],
  [/\bcannot\b/g, 'can not'],
  [/\bshan't\b/g, 'shall not'],
  [/\b(\w+)n't\b/g, '$1 not'],
  [/\bi'm\b/g, 'i am'],
  [/\b(\w+)'re\b/g, '$1 are'],
  [/\b(\w+)'ve\b/g, '$1 have'],
  [/\b(\w+)'ll\b/g, '$1 will'],
  [/\b(i|you|we|they|he|she)'d\b/g, '$1 would'],
  [/\b(it|that|what|there|here|who|he|she|let)'s\b/g, '$1 s'],
];

/** Lower case, no diacritics, straight apostrophes. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'");
}

/**
 * Normalized token list. Digits keep their decimal separator ("7.5", "7,5" →
 * "7.5"); "8/10" becomes "8 out of 10"; every other punctuation mark becomes a
 * boundary token ",".
 */
export function tokenize(text: string): string[] {
  let s = fold(text);
  for (const [re, rep] of CONTRACTIONS) s = s.replace(re, rep);
  s = s
    .replace(/(\d)\s*\/\s*(\d)/g, '$1 out of $2')
    .replace(/(\d),(\d)/g, '$1.$2')
    .replace(/(\d)\.(\d{3})(?!\d)/g, '$1$2') // Italian thousands "1.000"
    .replace(/(\d)\s*-\s*(\d)/g, '$1 to $2')
    .replace(/(\d)([a-z])/g, '$1 $2')
    .replace(/([a-z])(\d)/g, '$1 $2')
    .replace(/'/g, ' ')
    .replace(/-/g, ' ')
    .replace(/(?<!\d)\.|\.(?!\d)/g, ' , ')
    .replace(/[,;:!?()"«»…–—]+/g, ' , ')
    .replace(/[^a-z0-9., ]+/g, ' ');
  return s.split(/\s+/).filter((t) => t.length > 0);
}

/** The tokens joined by single spaces, with boundary marks dropped: for phrase matching. */
export function phraseText(tokens: readonly string[]): string {
  return ` ${tokens.filter((t) => t !== ',').join(' ')} `;
}
