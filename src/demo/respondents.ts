/**
 * The demo's respondents: the contacts demo mode generates for the demo
 * campaign and the scripted person behind each number (a simulator persona).
 * Everything is a pure function of the contact's index `n`, so a restart
 * regenerates the same people, and the simulator knows who answers a number
 * it has never seen before (contacts keep arriving while the demo runs).
 *
 * A deck of 20 respondents repeats: completed surveys, refusals, an opt-out,
 * a request to repeat the question, a hang-up mid-survey, and calls that
 * succeed on a later attempt — no answer, busy, voicemail, and "call me back in
 * five minutes". Answers vary from person to person, so the
 * dashboard's distributions look like a real day.
 *
 * Numbers: Italian `+39 347 55nnnnn`; a third have UK numbers from Ofcom's
 * range reserved for drama (`+44 7700 900xxx`). The seeded Italian contacts
 * answer in Italian, so Italian follow-up emails show up too. The simulator
 * answers them all; nothing here may ever reach a real carrier.
 */
import type { PersonaChoice, PersonaScript } from '../adapters/telephony/simulator/index.js';

/** The seeded sample campaign (db/seeds/0001_demo.sql) that demo mode keeps calling. */
export const DEMO_CAMPAIGN_ID = 'c0000000-0000-4000-8000-000000000001';
/** Generated contacts stop at this many (a few hours of calling at five lines). */
export const DEMO_MAX_GENERATED = 1000;
/** External ids of generated contacts start with this. */
export const DEMO_EXTERNAL_PREFIX = 'DEMO-';

type Lang = 'en' | 'it';
type Kind = 'complete' | 'repeat' | 'refuse' | 'opt_out' | 'no_answer' | 'busy' | 'voicemail' | 'callback' | 'hang_up';

/** The cycle of respondents, ordered so the first calls already show variety. */
const DECK: readonly Kind[] = [
  'complete', 'no_answer', 'complete', 'refuse', 'callback', 'complete', 'voicemail', 'complete', 'busy', 'refuse',
  'complete', 'repeat', 'opt_out', 'complete', 'no_answer', 'hang_up', 'complete', 'callback', 'complete', 'refuse',
];

export interface DemoContact {
  readonly external_contact_id: string;
  readonly phone_number: string;
  readonly email: string;
  /** UK numbers prefer English; Italian ones state no preference (the campaign's language, English). */
  readonly preferred_language: 'en' | 'auto';
  readonly has_prior_consent: true;
}

const IT_PREFIX = '+3934755';
const UK_PREFIX = '+447700900';
/** UK numbers use 500–833 of the reserved 000–999 (the seed uses 003). */
const UK_OFFSET = 500;

const NAMES: Record<Lang, { first: readonly string[]; last: readonly string[] }> = {
  en: {
    first: ['Sam', 'Olivia', 'James', 'Amelia', 'Harry', 'Emily', 'Jack', 'Sophie', 'Oliver', 'Grace', 'Noah'],
    last: ['Taylor', 'Smith', 'Jones', 'Brown', 'Wilson', 'Evans', 'Walker', 'Wright', 'Hughes', 'Green'],
  },
  it: {
    first: ['Giulia', 'Marco', 'Francesca', 'Luca', 'Chiara', 'Matteo', 'Sara', 'Alessandro', 'Elena', 'Davide', 'Paola'],
    last: ['Rossi', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti'],
  },
};

const kindOf = (n: number) => DECK[n % DECK.length]!;
const isUk = (n: number) => n % 3 === 1;

export function demoPhoneNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= DEMO_MAX_GENERATED) throw new RangeError(`demo contact index out of range: ${n}`);
  return isUk(n) ? `${UK_PREFIX}${String(UK_OFFSET + (n - 1) / 3).padStart(3, '0')}` : `${IT_PREFIX}${String(n).padStart(5, '0')}`;
}

/** The index of a generated number, or undefined for any other number. */
export function demoIndexOf(phone: string): number | undefined {
  let n: number | undefined;
  if (phone.startsWith(IT_PREFIX) && phone.length === IT_PREFIX.length + 5) n = Number(phone.slice(IT_PREFIX.length));
  else if (phone.startsWith(UK_PREFIX) && phone.length === UK_PREFIX.length + 3) n = (Number(phone.slice(UK_PREFIX.length)) - UK_OFFSET) * 3 + 1;
  return n !== undefined && Number.isInteger(n) && n >= 0 && n < DEMO_MAX_GENERATED && demoPhoneNumber(n) === phone ? n : undefined;
}

/** The n-th generated contact (0-based): fictitious, with prior consent. */
export function demoContact(n: number): DemoContact {
  const uk = isUk(n);
  const names = NAMES[uk ? 'en' : 'it'];
  const first = names.first[n % names.first.length]!;
  const last = names.last[Math.floor(n / names.first.length) % names.last.length]!;
  return {
    external_contact_id: `${DEMO_EXTERNAL_PREFIX}${String(n + 1).padStart(4, '0')}`,
    phone_number: demoPhoneNumber(n),
    email: `${first}.${last}.${n + 1}@example.org`.toLowerCase(),
    preferred_language: uk ? 'en' : 'auto',
    has_prior_consent: true,
  };
}

// ── what people say ──
const WORDS: Record<Lang, readonly string[]> = {
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', '', '', '', '', 'fifteen', '', '', '', '', 'twenty', '', '', '', '', '', '', '', '', '', 'thirty'],
  it: ['zero', 'uno', 'due', 'tre', 'quattro', 'cinque', 'sei', 'sette', 'otto', 'nove', 'dieci', '', '', '', '', 'quindici', '', '', '', '', 'venti', '', '', '', '', '', '', '', '', '', 'trenta'],
};
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const pick = <T>(list: readonly T[], n: number, salt = 0): T => list[(n * 7 + salt) % list.length]!;

const SATISFACTION = [9, 8, 7, 10, 8, 6, 9, 5, 8, 3, 7, 9, 10];
const WAIT_MINUTES = [5, 10, 2, 15, 20, 3, 30, 5, 4, 10];
const SAY = {
  en: {
    yes: ['Yes, go ahead', 'Sure, okay', 'Yes, that is fine', 'Okay, go on'],
    scale: [(w: string) => cap(w), (w: string) => `I would say ${w}`, (w: string) => `${cap(w)} out of ten`],
    wait: [(w: string) => `About ${w} minutes`, (w: string) => `${cap(w)} minutes`, (w: string) => `Maybe ${w} minutes`],
    improve: [
      'Open more counters at lunchtime',
      'Shorter queues in the morning',
      'A better app for booking appointments',
      'More staff at the information desk',
      'Clearer signs inside the branch',
      'Longer opening hours on Saturday',
      'A quieter waiting area',
      'Friendlier staff at the counter',
    ],
    refuse: ['No, thank you, I am not interested', 'No thanks, I do not do surveys'],
    callback: 'Sorry, I am driving. Could you call me back in five minutes?',
    repeat: 'Sorry, can you repeat the question?',
  },
  it: {
    yes: ['Sì, va bene', 'Certo, prego', 'Va bene, mi dica', 'Sì, certo'],
    scale: [(w: string) => cap(w), (w: string) => `Direi ${w}`, (w: string) => `${cap(w)} su dieci`],
    wait: [(w: string) => `Circa ${w} minuti`, (w: string) => `${cap(w)} minuti`, (w: string) => `Forse ${w} minuti`],
    improve: [
      "Più sportelli aperti all'ora di pranzo",
      'Code più brevi la mattina',
      "Un'app migliore per prenotare",
      "Più personale all'accoglienza",
      'Orari più lunghi il sabato',
      'Una sala d’attesa più tranquilla',
    ],
    refuse: ['No grazie, non mi interessa', 'No, non faccio sondaggi, grazie'],
  },
} as const;

/** The three answers of respondent `n`, as spoken (scale 1–10, minutes waited, one improvement). */
export function demoAnswers(n: number, lang: Lang): { scale: string; wait: string; improve: string } {
  const s = SAY[lang];
  return {
    scale: pick(s.scale, n)(WORDS[lang][pick(SATISFACTION, n, 3)]!),
    wait: pick(s.wait, n, 1)(WORDS[lang][pick(WAIT_MINUTES, n, 5)]!),
    improve: pick(s.improve, n, 2),
  };
}

function completes(n: number, lang: Lang, opts: { repeat?: boolean } = {}): PersonaScript {
  const s = SAY[lang];
  const a = demoAnswers(n, lang);
  const utterances = opts.repeat ? [pick(s.yes, n), SAY.en.repeat, a.scale, a.wait, a.improve] : [pick(s.yes, n), a.scale, a.wait, a.improve];
  return { name: opts.repeat ? `demo_asks_repeat_${lang}` : `demo_completes_${lang}`, pickup: 'human', utterances, ringSeconds: 2 + (n % 6), ...(lang === 'it' ? { confidence: 0.88 } : {}) };
}

/**
 * Who answers the calls to respondent `n`, attempt by attempt (the last repeats).
 * Generated respondents speak the campaign's language, English (a respondent who
 * prefers Italian would hear the campaign's English questions framed in Italian).
 */
export function demoPersonas(n: number): readonly PersonaChoice[] {
  const kind = kindOf(n);
  const lang = 'en';
  const s = SAY.en;
  const ring = 2 + (n % 6);
  switch (kind) {
    case 'complete': return [completes(n, lang)];
    case 'repeat': return [completes(n, lang, { repeat: true })];
    case 'refuse': return [{ name: `demo_refuses_${lang}`, pickup: 'human', utterances: [pick(s.refuse, n)], ringSeconds: ring }];
    case 'opt_out': return ['opt_out'];
    case 'no_answer': return ['no_answer', completes(n, lang)];
    case 'busy': return ['busy', completes(n, lang)];
    case 'voicemail': return ['voicemail', completes(n, lang)];
    case 'callback': return [{ name: `demo_asks_callback_${lang}`, pickup: 'human', utterances: [s.callback], ringSeconds: ring }, completes(n, lang)];
    case 'hang_up': return [{ name: 'demo_hangs_up', pickup: 'human', utterances: [pick(s.yes, n), demoAnswers(n, lang).scale], hangUpAfter: 2, ringSeconds: ring }];
  }
}

/** The five contacts of db/seeds/0001_demo.sql (the fifth has no prior consent and is never called). */
const SEEDED: Readonly<Record<string, readonly PersonaChoice[]>> = {
  '+393470000001': [completes(1, 'it')],
  '+393470000002': [{ name: 'demo_refuses_it', pickup: 'human', utterances: [SAY.it.refuse[0]] }],
  '+447700900003': [{ name: 'demo_asks_callback_en', pickup: 'human', utterances: [SAY.en.callback] }, completes(3, 'en')],
  '+393470000004': ['no_answer', completes(4, 'en')],
};

/** The simulator's persona lookup in demo mode; other numbers fall back to its mix. */
export function demoPersonasFor(phone: string): readonly PersonaChoice[] | undefined {
  const seeded = SEEDED[phone];
  if (seeded) return seeded;
  const n = demoIndexOf(phone);
  return n === undefined ? undefined : demoPersonas(n);
}
