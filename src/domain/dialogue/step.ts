/**
 * The dialogue as a pure step function: (state, input) → (next state, what to
 * say, whether to listen or hang up, and the outcome when the call is over).
 *
 *   intro ──answered──▶ consent ──yes──▶ q1 ──▶ q2 ──▶ q3 ──▶ done (completed)
 *                          │ no → refused, opt-out → opt_out, callback → callback,
 *                          │ silence twice → no_response
 *   any question: opt-out / callback / stop ("basta") end the call; a hang-up is a break-off.
 *
 * Rules: a repeat once per stage; one clarification naming the expected form,
 * then the heard text is kept with low confidence, flagged for review, and the
 * survey moves on; one reprompt after silence. Questions are never asked before
 * consent: the only way into q1 is a `yes` at the consent stage.
 */
import type { Interpretation, Language, QuestionType } from '../interpreter/types.js';
import { DEFAULT_TEXTS, introDisclosesAutomation, type DialogueTexts } from './texts.js';

export const QUESTION_STAGES = ['q1', 'q2', 'q3'] as const;
export type QuestionStage = (typeof QUESTION_STAGES)[number];
export type DialogueStage = 'intro' | 'consent' | QuestionStage | 'done';

export interface DialogueQuestion {
  readonly text: string;
  readonly type: QuestionType;
  /** Inclusive bounds, for `scale` questions. */
  readonly scale: readonly [number, number];
}

/** Everything the step function needs that does not change during the call. */
export interface DialogueScript {
  readonly language: Language;
  /** The campaign's approved intro, spoken verbatim. */
  readonly introScript: string;
  readonly questions: readonly [DialogueQuestion, DialogueQuestion, DialogueQuestion];
  /** Overrides of the default texts (e.g. the AI disclosure from configuration). */
  readonly texts?: Partial<DialogueTexts>;
  /** Text-to-speech voice for this language. */
  readonly voice?: string;
}

export interface DialogueAnswer {
  /** Normalized: a number for numeric/scale, the text for free_text, null when not understood. */
  readonly value: number | string | null;
  /** What was heard (for review). */
  readonly heard: string;
  readonly confidence: number;
  readonly needsReview: boolean;
}

export type DialogueOutcome =
  | { readonly kind: 'completed'; readonly answers: readonly [DialogueAnswer, DialogueAnswer, DialogueAnswer] }
  | { readonly kind: 'refused'; readonly reason: 'declined_consent' | 'stopped_mid_survey'; readonly answers: Partial<Record<QuestionStage, DialogueAnswer>> }
  | { readonly kind: 'opt_out'; readonly answers: Partial<Record<QuestionStage, DialogueAnswer>> }
  | { readonly kind: 'callback'; readonly at?: string; readonly answers: Partial<Record<QuestionStage, DialogueAnswer>> }
  | { readonly kind: 'no_response'; readonly reason: 'silence' | 'consent_unclear' }
  | { readonly kind: 'break_off'; readonly answers: Partial<Record<QuestionStage, DialogueAnswer>> };

export interface DialogueState {
  readonly stage: DialogueStage;
  readonly language: Language;
  readonly repeats: Partial<Record<DialogueStage, number>>;
  readonly clarifications: Partial<Record<DialogueStage, number>>;
  readonly silences: Partial<Record<DialogueStage, number>>;
  readonly answers: Partial<Record<QuestionStage, DialogueAnswer>>;
  /** ISO time consent was given. */
  readonly consentAt?: string;
  readonly outcome?: DialogueOutcome;
}

export type DialogueInput =
  | { readonly kind: 'answered' }
  | { readonly kind: 'speech'; readonly text: string; readonly interpretation: Interpretation }
  | { readonly kind: 'silence' }
  | { readonly kind: 'hangup' };

export interface Utterance {
  readonly text: string;
  readonly language: Language;
  readonly voice?: string;
}

export interface StepResult {
  readonly state: DialogueState;
  /** Spoken in order. */
  readonly say: readonly Utterance[];
  /** Listen for speech after speaking. */
  readonly listen: boolean;
  readonly hangup: boolean;
  /** Recognition hints for the listening stage. */
  readonly hints?: readonly string[];
  /** Set once, on the step that ends the dialogue. */
  readonly outcome?: DialogueOutcome;
}

/** Below this, an understood answer is still flagged for review. */
export const REVIEW_CONFIDENCE = 0.5;

/** The call's language: the contact's preference, else the campaign's. */
export function callLanguage(preferred: 'en' | 'it' | 'auto' | null | undefined, campaign: Language): Language {
  return preferred === 'en' || preferred === 'it' ? preferred : campaign;
}

export function initialState(language: Language): DialogueState {
  return { stage: 'intro', language, repeats: {}, clarifications: {}, silences: {}, answers: {} };
}

function textsFor(script: DialogueScript): DialogueTexts {
  return { ...DEFAULT_TEXTS[script.language], ...(script.texts ?? {}) };
}

const questionIndex = (stage: QuestionStage) => QUESTION_STAGES.indexOf(stage);

/** Normalizes an understood value by question type; null when it does not fit. */
export function normalizeAnswer(q: DialogueQuestion, value: number | string | undefined, heard: string): number | string | null {
  if (q.type === 'free_text') {
    const t = (typeof value === 'string' ? value : heard).trim();
    return t.length > 0 ? t : null;
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return null;
  if (q.type === 'scale') {
    if (!Number.isInteger(n) || n < q.scale[0] || n > q.scale[1]) return null;
    return n;
  }
  return n < 0 ? null : n;
}

/** Recognition hints for a question: the scale's numbers, in the call's language. */
function hintsFor(q: DialogueQuestion): string[] | undefined {
  if (q.type !== 'scale') return undefined;
  const out: string[] = [];
  for (let v = q.scale[0]; v <= q.scale[1] && out.length < 20; v++) out.push(String(v));
  return out;
}

export function step(script: DialogueScript, state: DialogueState, input: DialogueInput, now: Date): StepResult {
  const t = textsFor(script);
  const say = (...texts: string[]): Utterance[] =>
    texts.filter((x) => x.trim() !== '').map((text) => ({ text, language: script.language, ...(script.voice ? { voice: script.voice } : {}) }));
  const end = (next: DialogueState, outcome: DialogueOutcome, ...texts: string[]): StepResult => ({
    state: { ...next, stage: 'done', outcome },
    say: say(...texts),
    listen: false,
    hangup: true,
    outcome,
  });
  const listen = (next: DialogueState, texts: string[], hints?: readonly string[]): StepResult => ({
    state: next,
    say: say(...texts),
    listen: true,
    hangup: false,
    ...(hints ? { hints } : {}),
  });
  const consentPrompt = (): string[] => [script.introScript, introDisclosesAutomation(script.introScript) ? '' : t.aiDisclosure, t.consentQuestion];
  const questionPrompt = (stage: QuestionStage) => script.questions[questionIndex(stage)]!.text;
  const clarifyFor = (q: DialogueQuestion) =>
    q.type === 'scale' ? t.clarifyScale.replace('{min}', String(q.scale[0])).replace('{max}', String(q.scale[1])) : q.type === 'numeric' ? t.clarifyNumeric : t.clarifyFreeText;
  const bump = (m: Partial<Record<DialogueStage, number>>, s: DialogueStage) => ({ ...m, [s]: (m[s] ?? 0) + 1 });

  if (state.stage === 'done') {
    // Anything after the end (a late webhook): say nothing more, hang up.
    return { state, say: [], listen: false, hangup: true };
  }

  if (input.kind === 'hangup') {
    if (state.stage === 'intro' || state.stage === 'consent') return end(state, { kind: 'break_off', answers: {} });
    return end(state, { kind: 'break_off', answers: state.answers });
  }

  if (state.stage === 'intro') {
    // The call was answered (or a speech event arrived before our first prompt): start over at the intro.
    return listen({ ...state, stage: 'consent' }, consentPrompt(), t.consentHints);
  }

  const stage = state.stage;

  if (input.kind === 'answered') {
    // A duplicate "answered" mid-call: repeat the current prompt without counting it.
    return stage === 'consent' ? listen(state, consentPrompt(), t.consentHints) : listen(state, [questionPrompt(stage)]);
  }

  if (input.kind === 'silence') {
    if ((state.silences[stage] ?? 0) < 1) {
      const next = { ...state, silences: bump(state.silences, stage) };
      return stage === 'consent' ? listen(next, [t.stillThere, t.consentQuestion], t.consentHints) : listen(next, [t.stillThere, questionPrompt(stage)], hintsFor(script.questions[questionIndex(stage)]!));
    }
    if (stage === 'consent') return end(state, { kind: 'no_response', reason: 'silence' }, t.noResponseGoodbye);
    return moveOn(script, t, { ...state, silences: bump(state.silences, stage) }, stage, { value: null, heard: '', confidence: 0, needsReview: true }, end, listen);
  }

  const it = input.interpretation;
  const partial = state.answers;
  if (it.intent === 'opt_out') return end(state, { kind: 'opt_out', answers: partial }, t.optOutGoodbye);
  if (it.intent === 'callback') {
    return end(state, { kind: 'callback', ...(it.callbackAt ? { at: it.callbackAt.toISOString() } : {}), answers: partial }, t.callbackGoodbye);
  }

  if (it.intent === 'repeat' && (state.repeats[stage] ?? 0) < 1) {
    const next = { ...state, repeats: bump(state.repeats, stage) };
    return stage === 'consent' ? listen(next, consentPrompt(), t.consentHints) : listen(next, [questionPrompt(stage)], hintsFor(script.questions[questionIndex(stage)]!));
  }

  if (stage === 'consent') {
    if (it.intent === 'yes') {
      const next: DialogueState = { ...state, stage: 'q1', consentAt: now.toISOString() };
      return listen(next, [t.consentThanks, questionPrompt('q1')], hintsFor(script.questions[0]));
    }
    if (it.intent === 'no') return end(state, { kind: 'refused', reason: 'declined_consent', answers: {} }, t.refusedGoodbye);
    // unclear, an answer, or a second repeat
    if ((state.clarifications.consent ?? 0) < 1) {
      return listen({ ...state, clarifications: bump(state.clarifications, 'consent') }, [t.clarifyConsent], t.consentHints);
    }
    return end(state, { kind: 'no_response', reason: 'consent_unclear' }, t.noResponseGoodbye);
  }

  // A question.
  const q = script.questions[questionIndex(stage)]!;
  if (it.intent === 'no') return end(state, { kind: 'refused', reason: 'stopped_mid_survey', answers: partial }, t.refusedGoodbye);
  if (it.intent === 'answer') {
    const value = normalizeAnswer(q, it.value, input.text);
    if (value !== null) {
      return moveOn(script, t, state, stage, { value, heard: input.text, confidence: it.confidence, needsReview: it.confidence < REVIEW_CONFIDENCE }, end, listen);
    }
  }
  if ((state.clarifications[stage] ?? 0) < 1) {
    return listen({ ...state, clarifications: bump(state.clarifications, stage) }, [clarifyFor(q)], hintsFor(q));
  }
  // Second failure: keep what was heard, low confidence, for review; move on.
  const kept = q.type === 'free_text' ? normalizeAnswer(q, undefined, input.text) : null;
  return moveOn(script, t, state, stage, { value: kept, heard: input.text, confidence: Math.min(0.2, it.confidence), needsReview: true }, end, listen);
}

function moveOn(
  script: DialogueScript,
  t: DialogueTexts,
  state: DialogueState,
  stage: QuestionStage,
  answer: DialogueAnswer,
  end: (next: DialogueState, outcome: DialogueOutcome, ...texts: string[]) => StepResult,
  listen: (next: DialogueState, texts: string[], hints?: readonly string[]) => StepResult,
): StepResult {
  const answers = { ...state.answers, [stage]: answer };
  const i = questionIndex(stage);
  if (i === 2) {
    const all = [answers.q1!, answers.q2!, answers.q3!] as const;
    return end({ ...state, answers }, { kind: 'completed', answers: all }, t.completedGoodbye);
  }
  const nextStage = QUESTION_STAGES[i + 1]!;
  const nextQ = script.questions[i + 1]!;
  const ack = t.acknowledgements[i % t.acknowledgements.length] ?? '';
  return listen({ ...state, stage: nextStage, answers }, [ack, nextQ.text], hintsFor(nextQ));
}

/** Renders a step as the telephony port's call control. */
export function toCallControl(
  result: StepResult,
  opts: { actionUrl: string; timeoutSeconds?: number },
): { say: Utterance[]; gather?: { actionUrl: string; language: Language; timeoutSeconds: number; hints?: string[] }; hangup: boolean } {
  const language = result.state.language;
  return {
    say: [...result.say],
    ...(result.listen
      ? { gather: { actionUrl: opts.actionUrl, language, timeoutSeconds: opts.timeoutSeconds ?? 5, ...(result.hints ? { hints: [...result.hints] } : {}) } }
      : {}),
    hangup: result.hangup,
  };
}
