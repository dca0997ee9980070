/**
 * The rules interpreter: English and Italian speech → intent (and value), with
 * no network and no model. Built from lexicons (lexicon.ts), a number-word
 * parser (numbers.ts) and a few principles:
 *
 * - Opt-out beats everything, then an explicit callback request, then a
 *   request to repeat; only then does the stage decide (consent: yes/no;
 *   answer: a value of the question's type).
 * - Self-corrections: the value after the last correction marker counts
 *   ("seven, no actually eight", "sei, anzi sette").
 * - More than one distinct value left (ranges, "two or three", "tra 6 e 7"),
 *   comparisons ("more than ten"), non-integers and values outside the scale
 *   are `unclear`: the dialogue asks again naming the expected form.
 * - Echoes of the scale ("from one to ten") and denominators ("nine out of
 *   ten", "otto su dieci") are not answers.
 */
import {
  CALLBACK_STRONG, CALLBACK_TIME_WORDS, CALLBACK_WEAK, COMPARISON, CORRECTION_MARKERS, FILLERS, GOODBYE, HEDGE, NEUTRAL, NO,
  NO_WITH_YES_WORDS, OPT_OUT, REPEAT, SCALE_MAX, SCALE_MIN, STOP_ANSWERING, STRONG_REFUSAL, VAGUE_COUNTS, YES, YES_WITH_NO_WORDS, ZERO_PHRASES,
} from './lexicon.js';
import { phraseText, tokenize } from './normalize.js';
import { extractNumbers, type NumberSpan } from './numbers.js';
import { parseCallbackTime } from './time.js';
import type { InterpretInput, Interpretation } from './types.js';

const any = (patterns: readonly RegExp[], p: string) => patterns.some((re) => re.test(p));

function scaleConfidence(base: number, asr: number | undefined): number {
  const f = asr === undefined || Number.isNaN(asr) ? 1 : 0.6 + 0.4 * Math.min(1, Math.max(0, asr));
  return Math.round(base * f * 1000) / 1000;
}

/** Italian "sì" loses its accent in ASR output; "si" is also a pronoun ("si tratta"). */
const SI_NEIGHBOURS = new Set([',', 'si', 'certo', 'ok', 'grazie', 'va', 'prego', 'mi', 'd', 'dai', 'ho', 'sono', 'vada', 'dica', 'proceda', 'do', 'volentieri', 'ma', 'direi', 'assolutamente', 'beh', 'ecco', 'pure', 'certamente', 'ascolto', 'faccia', 'sicuro']);
/** Verbs after which "si" is the reflexive/impersonal pronoun: "si tratta", "si sente". */
const SI_VERBS = new Set(['tratta', 'tratterebbe', 'chiama', 'dice', 'sente', 'fa', 'parla', 'puo', 'deve', 'vede', 'capisce', 'sa', 'trova', 'intende', 'svolge', 'occupa', 'chiede']);
function saysSi(tokens: readonly string[]): boolean {
  return tokens.some((t, i) => {
    if (t !== 'si' || SI_VERBS.has(tokens[i + 1] ?? '')) return false;
    const prev = tokens[i - 1];
    // "certo che sì" is assent; "di che si tratta" is not.
    if (prev === 'che') return ['certo', 'ma', 'sicuro', 'direi'].includes(tokens[i - 2] ?? '');
    return i === 0 || i === tokens.length - 1 || SI_NEIGHBOURS.has(prev!) || SI_NEIGHBOURS.has(tokens[i + 1]!);
  });
}

function strip(p: string, patterns: readonly RegExp[]): { rest: string; hit: boolean } {
  let rest = p;
  let hit = false;
  for (const re of patterns) {
    const g = new RegExp(re.source, 'g');
    if (g.test(rest)) {
      hit = true;
      rest = rest.replace(new RegExp(re.source, 'g'), ' ');
    }
  }
  return { rest, hit };
}

/** Yes, no, or neither in one stretch of speech. */
function polarity(tokens: readonly string[]): 'yes' | 'no' | 'both' | 'none' {
  let p = phraseText(tokens);
  p = strip(p, NEUTRAL).rest;
  const negYes = strip(p, NO_WITH_YES_WORDS);
  p = negYes.rest;
  const posNo = strip(p, YES_WITH_NO_WORDS);
  p = posNo.rest;
  const yes = posNo.hit || any(YES, p) || saysSi(p.trim().split(/\s+/));
  const no = negYes.hit || any(NO, p);
  if (yes && no) return 'both';
  return yes ? 'yes' : no ? 'no' : 'none';
}

/** Token indexes just after each correction marker. */
function markerEnds(tokens: readonly string[], markers: readonly string[][]): number[] {
  const ends: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    for (const m of markers) {
      if (m.every((w, k) => tokens[i + k] === w)) ends.push(i + m.length);
    }
  }
  return ends.sort((a, b) => a - b);
}

const CONSENT_MARKERS = [['anzi'], ['actually'], ['on', 'second', 'thought'], ['ripensandoci'], ['i', 'mean'], ['cioe'], ['wait'], ['no', 'wait']];

function consent(tokens: readonly string[], asr: number | undefined): Interpretation {
  const ends = markerEnds(tokens, CONSENT_MARKERS);
  // Read from the last correction backwards until a stretch says something.
  const cuts = [0, ...ends];
  for (let k = cuts.length - 1; k >= 0; k--) {
    const seg = tokens.slice(cuts[k]);
    const pol = polarity(seg);
    if (pol === 'yes') return { intent: 'yes', confidence: scaleConfidence(k < cuts.length - 1 || ends.length === 0 ? 0.9 : 0.8, asr) };
    if (pol === 'no') return { intent: 'no', confidence: scaleConfidence(0.9, asr) };
    if (pol === 'both') return { intent: 'unclear', confidence: scaleConfidence(0.4, asr) };
  }
  return { intent: 'unclear', confidence: scaleConfidence(0.3, asr) };
}

const DENOMINATOR_LINKS = new Set(['out of', 'su', 'on', 'over', 'outta', 'of', 'out of a', 'su un', 'su una scala di']);
const RANGE_LINKS = new Set(['to', 'a', 'e', 'and', 'through', 'till', 'until', 'fino a', 'al', 'or', 'o']);

function between(tokens: readonly string[], a: NumberSpan, b: NumberSpan): string {
  return tokens.slice(a.end + 1, b.start).filter((t) => t !== ',').join(' ');
}

function numericAnswer(input: InterpretInput, tokens: readonly string[], p: string): Interpretation {
  const asr = input.asrConfidence;
  const type = input.questionType!;
  const [min, max] = input.scale ?? [1, 10];
  const unclear = (c = 0.4): Interpretation => ({ intent: 'unclear', confidence: scaleConfidence(c, asr) });

  if (type === 'numeric' && any(ZERO_PHRASES.slice(0, 3), p)) return { intent: 'answer', value: 0, confidence: scaleConfidence(0.85, asr) };

  // "minus one", "negative two", a leading "meno": a negative number.
  let spans = extractNumbers(tokens).map((sp) => {
    const prev = tokens[sp.start - 1];
    return prev === 'minus' || prev === 'negative' || (prev === 'meno' && sp.start === 1) ? { ...sp, value: -sp.value } : sp;
  });
  if (spans.length > 0 && COMPARISON.test(p)) return unclear();
  if (VAGUE_COUNTS.test(p)) return unclear();

  // Denominators ("nine out of ten") and echoes of the scale ("from one to ten").
  const drop = new Set<NumberSpan>();
  for (let i = 1; i < spans.length; i++) {
    const a = spans[i - 1]!;
    const b = spans[i]!;
    const link = between(tokens, a, b);
    if (DENOMINATOR_LINKS.has(link) && b.value >= a.value && b.value >= 2) drop.add(b);
    else if (type === 'scale' && RANGE_LINKS.has(link) && a.value <= min && b.value >= max && link !== 'or' && link !== 'o') {
      drop.add(a);
      drop.add(b);
    }
  }
  // Years are context, not counts: "three times in 2024".
  for (const s of spans) {
    if (type === 'numeric' && s.value >= 1950 && s.value <= 2100 && Number.isInteger(s.value) && ['in', 'nel', 'since', 'dal', 'during', 'for'].includes(tokens[s.start - 1] ?? '')) drop.add(s);
  }
  // "not a ten, more like a six": a negated number is not the answer.
  for (const sp of spans) {
    const p1 = tokens[sp.start - 1];
    const p2 = tokens[sp.start - 2];
    if (p1 === 'not' || p1 === 'non' || ((p1 === 'a' || p1 === 'an' || p1 === 'un' || p1 === 'una') && (p2 === 'not' || p2 === 'non'))) drop.add(sp);
  }
  spans = spans.filter((s) => !drop.has(s));

  // Self-corrections: only what follows the last marker that still has a number after it.
  let corrected = false;
  const ends = markerEnds(tokens, CORRECTION_MARKERS);
  for (let k = ends.length - 1; k >= 0; k--) {
    const after = spans.filter((s) => s.start >= ends[k]!);
    if (after.length > 0) {
      corrected = after.length < spans.length;
      spans = after;
      break;
    }
  }
  if (spans.length > 1 && /\b(instead|invece)\b/.test(p)) {
    spans = [spans[spans.length - 1]!];
    corrected = true;
  }

  let values = [...new Set(spans.map((s) => s.value))];
  if (type === 'scale' && values.length === 0) {
    if (SCALE_MAX.test(p)) values = [max];
    else if (SCALE_MIN.test(p)) values = [min];
  }
  if (type === 'numeric' && values.length === 0 && any(ZERO_PHRASES.slice(3), p)) values = [0];
  if (values.length === 0) return GOODBYE.test(p) ? { intent: 'no', confidence: scaleConfidence(0.7, asr) } : unclear(0.3);
  if (values.length > 1) return unclear(0.4);

  const value = values[0]!;
  if (type === 'scale' && (!Number.isInteger(value) || value < min || value > max)) return unclear(0.4);
  if (type === 'numeric' && value < 0) return unclear(0.4);

  let base = 0.92;
  if (HEDGE.test(p)) base = 0.8;
  if (spans.some((s) => s.approx)) base = Math.min(base, 0.72);
  if (corrected) base = Math.min(base, 0.82);
  return { intent: 'answer', value, confidence: scaleConfidence(base, asr) };
}

/** Interprets one utterance. Pure: same input, same output. */
export function interpretRules(input: InterpretInput): Interpretation {
  const asr = input.asrConfidence;
  // "uh-huh", "mm-hmm": assent, not fillers.
  const raw = input.stage === 'consent' ? (input.text ?? '').replace(/\b(uh[- ]?huh|mm[- ]?hmm|m+h+m+)\b/gi, 'yes') : (input.text ?? '');
  const tokens = tokenize(raw).filter((t) => !FILLERS.has(t));
  const words = tokens.filter((t) => t !== ',');
  if (words.length === 0) return { intent: 'unclear', confidence: 0 };
  const p = phraseText(tokens);

  if (any(OPT_OUT, p)) return { intent: 'opt_out', confidence: scaleConfidence(0.95, asr) };

  const callback = (base: number): Interpretation => {
    const at = input.now ? parseCallbackTime(input.text, input.now, input.timeZone ?? 'UTC') : undefined;
    return at ? { intent: 'callback', confidence: scaleConfidence(base, asr), callbackAt: at } : { intent: 'callback', confidence: scaleConfidence(base, asr) };
  };
  // A long free-text answer may mention calls ("you never call back"): only short ones are requests.
  const longAnswer = input.stage === 'answer' && (input.questionType ?? 'free_text') === 'free_text' && words.length > 10;
  if (!longAnswer && any(CALLBACK_STRONG, p)) return callback(0.9);

  const short = input.stage === 'consent' || words.length <= 8;
  if (short && any(REPEAT, p)) return { intent: 'repeat', confidence: scaleConfidence(0.9, asr) };

  if (!longAnswer && any(CALLBACK_WEAK, p)) {
    if (input.stage === 'consent' && any(STRONG_REFUSAL, p)) return { intent: 'no', confidence: scaleConfidence(0.85, asr) };
    return callback(0.75);
  }

  if (input.stage === 'consent') {
    if (CALLBACK_TIME_WORDS.test(p)) return callback(0.7);
    return consent(tokens, asr);
  }

  if (any(STOP_ANSWERING, p)) return { intent: 'no', confidence: scaleConfidence(0.85, asr) };

  const type = input.questionType ?? 'free_text';
  if (type === 'free_text') return { intent: 'answer', value: input.text.trim(), confidence: scaleConfidence(0.85, asr) };
  return numericAnswer(input, tokens, p);
}
