/**
 * "Try it before launch": one turn of a test call. The campaign's real script
 * (built by the dialogue's own `buildScript`), the dialogue's pure `step`
 * function and the configured interpreter (rules, or the LLM with its budget
 * and fallback) — exactly what a phone call runs, minus the telephony and
 * minus every write. The only query reads the campaign.
 *
 * The dialogue state lives with the caller (the HTTP layer signs it and hands
 * it to the browser); nothing here remembers anything between turns.
 */
import type { Kysely } from 'kysely';
import { buildScript, scriptHash, type DialogueDeps } from '../dialogue/context.js';
import type { CallContext } from '../dialogue/context.js';
import {
  initialState,
  QUESTION_STAGES,
  step,
  type DialogueAnswer,
  type DialogueInput,
  type DialogueOutcome,
  type DialogueScript,
  type DialogueState,
  type QuestionStage,
  type StepResult,
} from '../../domain/dialogue/step.js';
import { notFound } from '../../domain/errors.js';
import type { Intent, Language, QuestionType } from '../../domain/interpreter/types.js';
import { rulesInterpreter } from '../../domain/interpreter/rules-interpreter.js';
import type { Interpreter } from '../../domain/ports/interpreter.js';
import type { DB } from '../../db/schema/index.js';

/** The campaign columns the script is built from (the same ones a live call reads). */
type ScriptColumns = Pick<
  CallContext,
  | 'intro_script'
  | 'question_1_text' | 'question_1_type' | 'question_1_scale_min' | 'question_1_scale_max'
  | 'question_2_text' | 'question_2_type' | 'question_2_scale_min' | 'question_2_scale_max'
  | 'question_3_text' | 'question_3_type' | 'question_3_scale_min' | 'question_3_scale_max'
>;

export interface TestScript {
  readonly script: DialogueScript;
  /** Changes when the campaign's wording, questions or the language change. */
  readonly hash: string;
  /** The campaign's time zone (callback times are read in it). */
  readonly timeZone: string;
}

/** Loads the campaign and builds the script a call in `language` (default: the campaign's) would speak. */
export async function loadTestScript(
  db: Kysely<DB>,
  campaignId: string,
  deps: Pick<DialogueDeps, 'texts' | 'voices'>,
  language?: Language,
): Promise<TestScript> {
  const row = await db
    .selectFrom('campaigns')
    .select([
      'language', 'timezone', 'intro_script',
      'question_1_text', 'question_1_type', 'question_1_scale_min', 'question_1_scale_max',
      'question_2_text', 'question_2_type', 'question_2_scale_min', 'question_2_scale_max',
      'question_3_text', 'question_3_type', 'question_3_scale_min', 'question_3_scale_max',
    ])
    .where('id', '=', campaignId)
    .executeTakeFirst();
  if (!row) throw notFound('campaign');
  const { language: campaignLanguage, timezone, ...columns } = row;
  const lang = language ?? campaignLanguage;
  // buildScript reads only the script columns and, when no language is given, the
  // contact's preference; a test call always names its language.
  const ctx: ScriptColumns & Pick<CallContext, 'preferred_language' | 'campaign_language'> = { ...columns, preferred_language: lang, campaign_language: campaignLanguage };
  const script = buildScript(ctx as CallContext, { ...deps, actionUrl: () => '' }, lang);
  return { script, hash: scriptHash(script), timeZone: timezone };
}

export interface Understood {
  readonly heard: string;
  readonly intent: Intent;
  readonly value: number | string | null;
  readonly confidence: number;
  readonly source: 'rules' | 'llm' | 'fallback';
  readonly callbackAt: string | null;
}

export type TestInput = { readonly speech: string; readonly confidence?: number } | { readonly silence: true };

export interface TestTurn {
  readonly result: StepResult;
  /** What the interpreter made of the speech; null for the opening turn and for silence. */
  readonly understood: Understood | null;
}

export interface TestTurnOptions {
  readonly interpreter?: Interpreter;
  readonly now: Date;
  readonly timeZone: string;
  readonly correlationId?: string;
}

/** The opening turn: what the respondent hears when they pick up. */
export function startTestCall(script: DialogueScript, now: Date): TestTurn {
  return { result: step(script, initialState(script.language), { kind: 'answered' }, now), understood: null };
}

/** One respondent turn, interpreted exactly as `runDialogueTurn` interprets a live one. */
export async function testCallTurn(script: DialogueScript, state: DialogueState, input: TestInput, opts: TestTurnOptions): Promise<TestTurn> {
  const text = 'speech' in input ? input.speech.trim() : '';
  if (text === '') return { result: step(script, state, { kind: 'silence' }, opts.now), understood: null };
  const stage = state.stage === 'consent' || state.stage === 'intro' ? 'consent' : 'answer';
  const qi = QUESTION_STAGES.indexOf(state.stage as QuestionStage);
  const q = qi >= 0 ? script.questions[qi] : undefined;
  const asr = 'speech' in input ? input.confidence : undefined;
  const interpretation = await (opts.interpreter ?? rulesInterpreter).interpret(
    {
      stage,
      language: script.language,
      text,
      now: opts.now,
      timeZone: opts.timeZone,
      ...(q ? { questionType: q.type, scale: [q.scale[0], q.scale[1]] as const, questionText: q.text } : {}),
      ...(asr !== undefined ? { asrConfidence: asr } : {}),
    },
    { turnStartedAt: Date.now(), ...(opts.correlationId ? { correlationId: opts.correlationId } : {}) },
  );
  const dialogueInput: DialogueInput = { kind: 'speech', text, interpretation };
  return {
    result: step(script, state, dialogueInput, opts.now),
    understood: {
      heard: text,
      intent: interpretation.intent,
      value: interpretation.value ?? null,
      confidence: Math.round(interpretation.confidence * 1000) / 1000,
      source: interpretation.source ?? 'rules',
      callbackAt: interpretation.callbackAt ? interpretation.callbackAt.toISOString() : null,
    },
  };
}

export interface RecordedAnswer {
  readonly question: 1 | 2 | 3;
  readonly type: QuestionType;
  /** What a live call would store (null: not understood, kept for review). */
  readonly value: number | string | null;
  readonly heard: string;
  readonly confidence: number;
  readonly needsReview: boolean;
}

/** The answers collected so far, as a live call would record them. */
export function recordedAnswers(script: DialogueScript, answers: Partial<Record<QuestionStage, DialogueAnswer>>): RecordedAnswer[] {
  return QUESTION_STAGES.flatMap((k, i) => {
    const a = answers[k];
    if (!a) return [];
    return [{ question: (i + 1) as 1 | 2 | 3, type: script.questions[i]!.type, value: a.value, heard: a.heard, confidence: Math.round(a.confidence * 1000) / 1000, needsReview: a.needsReview }];
  });
}

/** How the call ended, without the answers (listed separately). */
export function outcomeSummary(o: DialogueOutcome): { kind: DialogueOutcome['kind']; reason: string | null; callbackAt: string | null } {
  return {
    kind: o.kind,
    reason: 'reason' in o ? o.reason : null,
    callbackAt: o.kind === 'callback' ? (o.at ?? null) : null,
  };
}
