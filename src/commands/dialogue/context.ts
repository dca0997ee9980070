/**
 * What a dialogue turn needs from the database about its call, in one query,
 * and the script (intro, questions, disclosure) built from it.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DialogueScript, DialogueQuestion } from '../../domain/dialogue/step.js';
import { callLanguage } from '../../domain/dialogue/step.js';
import { DEFAULT_TEXTS, introDisclosesAutomation, type DialogueTexts } from '../../domain/dialogue/texts.js';
import { notFound } from '../../domain/errors.js';
import type { Interpreter } from '../../domain/ports/interpreter.js';
import type { Language } from '../../domain/interpreter/types.js';
import type { DB } from '../../db/schema/index.js';
import type { Logger } from '../../observability/logger.js';

/** Wiring for the dialogue commands; everything but `actionUrl` has a default. */
export interface DialogueDeps {
  /** Interprets speech; default: the rules interpreter. */
  readonly interpreter?: Interpreter;
  /** Per-language overrides of the default texts (the AI disclosure comes from configuration). */
  readonly texts?: Partial<Record<Language, Partial<DialogueTexts>>>;
  /** Text-to-speech voice per language. */
  readonly voices?: Partial<Record<Language, string>>;
  /** Seconds of silence before the provider reports an empty result. */
  readonly gatherTimeoutSeconds?: number;
  /** Where the provider posts the next speech result for this call. */
  readonly actionUrl: (callId: string) => string;
  readonly log?: Logger;
  /** Called once per turn with what happened (metrics). */
  readonly onTurn?: (t: { ms: number; intent?: string; source?: string; outcome?: string }) => void;
}

export async function loadCallContext(db: Kysely<DB>, callId: string) {
  const row = await db
    .selectFrom('call_attempts as a')
    .innerJoin('contacts as c', 'c.id', 'a.contact_id')
    .innerJoin('campaigns as k', 'k.id', 'a.campaign_id')
    .leftJoin('call_dialogues as d', 'd.call_attempt_id', 'a.id')
    .select([
      'a.id as attempt_id', 'a.contact_id', 'a.campaign_id', 'a.answered_at', 'a.outcome as attempt_outcome',
      'c.preferred_language', 'c.phone_number', 'c.attempts_count', 'c.timezone as contact_timezone',
      'k.language as campaign_language', 'k.intro_script', 'k.timezone as campaign_timezone', 'k.max_attempts', 'k.retry_interval_minutes',
      'k.question_1_text', 'k.question_1_type', 'k.question_1_scale_min', 'k.question_1_scale_max',
      'k.question_2_text', 'k.question_2_type', 'k.question_2_scale_min', 'k.question_2_scale_max',
      'k.question_3_text', 'k.question_3_type', 'k.question_3_scale_min', 'k.question_3_scale_max',
      'd.state', 'd.version', 'd.last_control', 'd.language as dialogue_language',
    ])
    .where('a.call_id', '=', callId)
    .executeTakeFirst();
  if (!row) throw notFound('call');
  return row;
}
export type CallContext = Awaited<ReturnType<typeof loadCallContext>>;

export function buildScript(ctx: CallContext, deps: DialogueDeps, language?: Language): DialogueScript {
  const lang = language ?? callLanguage(ctx.preferred_language, ctx.campaign_language);
  const q = (text: string, type: DialogueQuestion['type'], min: number, max: number): DialogueQuestion => ({ text, type, scale: [min, max] });
  const voice = deps.voices?.[lang];
  const texts = deps.texts?.[lang];
  return {
    language: lang,
    introScript: ctx.intro_script,
    questions: [
      q(ctx.question_1_text, ctx.question_1_type, ctx.question_1_scale_min, ctx.question_1_scale_max),
      q(ctx.question_2_text, ctx.question_2_type, ctx.question_2_scale_min, ctx.question_2_scale_max),
      q(ctx.question_3_text, ctx.question_3_type, ctx.question_3_scale_min, ctx.question_3_scale_max),
    ],
    ...(texts ? { texts } : {}),
    ...(voice ? { voice } : {}),
  };
}

/** The exact consent wording the respondent heard: intro, disclosure (if added) and the consent question. */
export function consentWording(script: DialogueScript): string {
  const t = { ...DEFAULT_TEXTS[script.language], ...(script.texts ?? {}) };
  return [script.introScript, introDisclosesAutomation(script.introScript) ? '' : t.aiDisclosure, t.consentQuestion].filter((s) => s.trim() !== '').join('\n');
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function scriptHash(script: DialogueScript): string {
  return sha256(JSON.stringify([script.language, consentWording(script), script.questions]));
}
