/**
 * Scripted respondents. A persona decides how the phone is picked up (or not)
 * and what the person says at each speech prompt. Personas are chosen per
 * number (an explicit map) or by a seeded weighted mix, deterministically per
 * (seed, number, attempt), so a retried contact may behave differently on a
 * later attempt while a run stays reproducible.
 */
import { hash32, unitFor } from './rng.js';

/** How the call is answered. `reject_*` fail at creation with a Twilio error code. */
export type Pickup = 'human' | 'machine' | 'no_answer' | 'busy' | 'fail' | 'reject_invalid' | 'reject_unreachable' | 'reject_geo';

export interface PersonaScript {
  readonly name: string;
  readonly pickup: Pickup;
  /**
   * What the person says at each successive speech prompt; `null` = silence.
   * Once the list runs out the person stays silent.
   */
  readonly utterances: readonly (string | null)[];
  /** Hangs up after this many utterances have been spoken (mid-survey hang-up). */
  readonly hangUpAfter?: number;
  /** Speech-recognition confidence reported with each utterance. Default 0.92. */
  readonly confidence?: number;
  /** Ring seconds before pick-up (real-time mode). Default 3. */
  readonly ringSeconds?: number;
  /** Hang up after this many consecutive silent prompts. Default 3. */
  readonly maxSilences?: number;
}

export const PERSONAS = {
  // Answers follow the usual question order (scale, number, free text), as in the
  // seeded and simulated campaigns: an answer of the wrong kind is heard as unclear.
  /** Consents and answers all three questions (English). */
  completes: { name: 'completes', pickup: 'human', utterances: ['Yes, go ahead', 'Seven', 'Three', 'The staff were quick and friendly'] },
  /** Consents and answers all three questions (Italian). */
  completes_it: { name: 'completes_it', pickup: 'human', utterances: ['Sì, va bene', 'Sette', 'Tre', 'Il personale è stato veloce e gentile'], confidence: 0.88 },
  /** Declines at the consent question. */
  refuses: { name: 'refuses', pickup: 'human', utterances: ['No, thank you, I am not interested'] },
  /** Declines and asks never to be called again. */
  opt_out: { name: 'opt_out', pickup: 'human', utterances: ['No. Please do not call me again'] },
  /** Never picks up: the ring timeout ends the call (`no-answer`). */
  no_answer: { name: 'no_answer', pickup: 'no_answer', utterances: [] },
  /** Line busy (SIP 486). */
  busy: { name: 'busy', pickup: 'busy', utterances: [] },
  /** The carrier fails the call (SIP 503). */
  fails: { name: 'fails', pickup: 'fail', utterances: [] },
  /** An answering machine: AnsweredBy machine_* when AMD is on; silent to every prompt. */
  voicemail: { name: 'voicemail', pickup: 'machine', utterances: [], maxSilences: 2 },
  /** Consents, answers one question, then hangs up. */
  hangs_up: { name: 'hangs_up', pickup: 'human', utterances: ['Yes, okay', 'Five'], hangUpAfter: 2 },
  /** Picks up and says nothing. */
  silent: { name: 'silent', pickup: 'human', utterances: [] },
  /** Consents, asks for each question to be repeated once, then answers. */
  asks_repeat: {
    name: 'asks_repeat',
    pickup: 'human',
    utterances: ['Yes', 'Sorry, can you repeat the question?', 'Six', 'Could you say that again?', 'Two', 'Pardon, can you repeat?', 'Good value for money'],
  },
  /** Create fails with 21211 (invalid To). */
  invalid_number: { name: 'invalid_number', pickup: 'reject_invalid', utterances: [] },
  /** Create fails with 21214 (To cannot be reached). */
  unreachable: { name: 'unreachable', pickup: 'reject_unreachable', utterances: [] },
} as const satisfies Record<string, PersonaScript>;

export type PersonaName = keyof typeof PERSONAS;

/** Proportions (percent) of the `default` mix: a plausible day of calling. */
export const DEFAULT_MIX: Readonly<Partial<Record<PersonaName, number>>> = {
  completes: 45,
  completes_it: 10,
  refuses: 9,
  opt_out: 1,
  no_answer: 12,
  busy: 6,
  voicemail: 6,
  hangs_up: 4,
  fails: 3,
  silent: 2,
  asks_repeat: 2,
};

export const MIXES: Readonly<Record<string, Readonly<Partial<Record<PersonaName, number>>>>> = {
  default: DEFAULT_MIX,
  /** Everyone answers and completes (English): throughput benchmarks. */
  all_complete: { completes: 1 },
  /** Nobody reachable: retry logic. */
  unreachable: { no_answer: 2, busy: 1, fails: 1 },
};

export function isPersonaName(name: string): name is PersonaName {
  return Object.prototype.hasOwnProperty.call(PERSONAS, name);
}

/**
 * Parses a mix: a named mix (`default`) or `name=weight,name=weight`.
 * Throws on unknown persona names or non-positive totals.
 */
export function parseMix(spec: string): Readonly<Partial<Record<PersonaName, number>>> {
  const named = MIXES[spec];
  if (named) return named;
  const mix: Partial<Record<PersonaName, number>> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, weight] = part.split('=').map((s) => s.trim());
    if (!name || !isPersonaName(name)) throw new Error(`unknown persona "${name ?? ''}" in mix (known: ${Object.keys(PERSONAS).join(', ')})`);
    const w = weight === undefined ? 1 : Number(weight);
    if (!Number.isFinite(w) || w < 0) throw new Error(`bad weight for ${name} in mix`);
    mix[name] = w;
  }
  if (Object.values(mix).reduce((a, b) => a + (b ?? 0), 0) <= 0) throw new Error(`mix "${spec}" has no weight`);
  return mix;
}

export type PersonaChoice = PersonaName | PersonaScript;

/**
 * Personas per E.164 number: a map, or a function (numbers not known in advance,
 * e.g. the demo's generated contacts); a list gives one persona per successive
 * attempt (the last repeats); `undefined` falls back to the mix.
 */
export type PersonasByNumber =
  | Readonly<Record<string, PersonaChoice | readonly PersonaChoice[]>>
  | ((to: string) => PersonaChoice | readonly PersonaChoice[] | undefined);

export interface PersonaSelector {
  /** The persona for the `attempt`-th call (0-based) to `to`. */
  choose(to: string, attempt: number): PersonaScript;
}

export function createPersonaSelector(opts: {
  seed: number;
  mix?: string | Readonly<Partial<Record<PersonaName, number>>>;
  /** Per-number personas; a list gives one persona per successive attempt (the last repeats). */
  byNumber?: PersonasByNumber;
}): PersonaSelector {
  const mix = typeof opts.mix === 'string' ? parseMix(opts.mix) : (opts.mix ?? DEFAULT_MIX);
  const entries = Object.entries(mix).filter(([, w]) => (w ?? 0) > 0) as [PersonaName, number][];
  const total = entries.reduce((a, [, w]) => a + w, 0);
  const resolve = (c: PersonaChoice): PersonaScript => {
    if (typeof c !== 'string') return c;
    if (!isPersonaName(c)) throw new Error(`unknown persona "${c}"`);
    return PERSONAS[c];
  };
  return {
    choose(to, attempt) {
      const by = opts.byNumber;
      const explicit = typeof by === 'function' ? by(to) : by?.[to];
      if (explicit !== undefined) {
        if (Array.isArray(explicit)) return resolve(explicit[Math.min(attempt, explicit.length - 1)]!);
        return resolve(explicit as PersonaChoice);
      }
      let x = unitFor(hash32(opts.seed, 'persona'), `${to}#${attempt}`) * total;
      for (const [name, w] of entries) {
        if (x < w) return PERSONAS[name];
        x -= w;
      }
      return PERSONAS[entries[entries.length - 1]![0]];
    },
  };
}
