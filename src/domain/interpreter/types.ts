/**
 * What the interpreter reads and returns: plain data shared by the rules
 * interpreter, the LLM interpreter and the dialogue step function.
 */

export type Language = 'en' | 'it';
export type QuestionType = 'free_text' | 'numeric' | 'scale';
export type Stage = 'consent' | 'answer';

export const INTENTS = ['yes', 'no', 'repeat', 'opt_out', 'callback', 'answer', 'unclear'] as const;
export type Intent = (typeof INTENTS)[number];

export interface InterpretInput {
  readonly stage: Stage;
  /** Only for the answer stage. */
  readonly questionType?: QuestionType;
  /** Inclusive bounds of a `scale` question, e.g. [1, 10]. */
  readonly scale?: readonly [number, number];
  readonly language: Language;
  /** What speech recognition heard. */
  readonly text: string;
  /** Speech-recognition confidence 0–1, when the provider reports one. */
  readonly asrConfidence?: number;
  /** Reference instant for callback times ("tomorrow", "in an hour"); default: none parsed relative to now. */
  readonly now?: Date;
  /** IANA time zone the respondent's "tomorrow at 5" is read in. */
  readonly timeZone?: string;
  /** The question as asked (context for an LLM; the rules do not need it). */
  readonly questionText?: string;
}

export interface Interpretation {
  readonly intent: Intent;
  /** For `answer`: a number (numeric, scale) or the text (free_text). */
  readonly value?: number | string;
  /** 0–1: how sure we are of intent and value together. */
  readonly confidence: number;
  /** For `callback`: when the respondent asked to be called, if it could be parsed. */
  readonly callbackAt?: Date;
}
