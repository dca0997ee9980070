/**
 * Applying the end of a dialogue: attempt, contact, survey response, exclusion
 * and outbox event change together, inside the caller's transaction.
 *
 * How each dialogue outcome is recorded (call_outcome has no values for the
 * non-final ones, and branch-local enum values would collide; the attempt's
 * `error_code` says which it was):
 *
 * | dialogue outcome | attempt outcome / error_code      | contact                         | event                |
 * |------------------|-----------------------------------|---------------------------------|----------------------|
 * | completed        | completed                         | completed                       | survey.completed     |
 * | refused          | refused                           | refused                         | survey.refused       |
 * | opt_out          | refused / `opt_out`               | refused, do_not_call, excluded  | survey.refused (reason opt_out) |
 * | callback         | failed / `callback_requested`     | pending, retry_not_before = at  | —                    |
 * | break_off        | failed / `break_off`              | pending (retryable)             | —                    |
 * | no_response      | failed / `no_response`            | pending (retryable)             | —                    |
 *
 * A retryable ending on the contact's last allowed attempt makes it
 * `not_reached` with a `survey.not_reached` event, as the scheduler does.
 */
import { sql, type Transaction } from 'kysely';
import type { DialogueAnswer, DialogueOutcome, DialogueScript, QuestionStage } from '../../domain/dialogue/step.js';
import type { DB } from '../../db/schema/index.js';
import type { CallContext } from './context.js';

const answerPayload = (script: DialogueScript, answers: Partial<Record<QuestionStage, DialogueAnswer>>) =>
  (['q1', 'q2', 'q3'] as const)
    .filter((k) => answers[k])
    .map((k, i) => ({
      question: k,
      type: script.questions[i]!.type,
      value: answers[k]!.value,
      confidence: Math.round(answers[k]!.confidence * 1000) / 1000,
      needs_review: answers[k]!.needsReview,
    }));

const toText = (a: DialogueAnswer) => (a.value === null ? (a.heard.trim() === '' ? null : a.heard) : String(a.value));
const conf = (a: DialogueAnswer) => Math.min(1, Math.max(0, Math.round(a.confidence * 1000) / 1000));

async function finishAttempt(trx: Transaction<DB>, ctx: CallContext, now: Date, outcome: 'completed' | 'refused' | 'failed', errorCode: string | null, metadata: Record<string, unknown>) {
  await trx
    .updateTable('call_attempts')
    .set((eb) => ({
      outcome,
      error_code: errorCode,
      answered_at: eb.fn.coalesce('answered_at', eb.val(now)),
      ended_at: eb.fn.coalesce('ended_at', eb.val(now)),
      metadata: sql<Record<string, unknown>>`${eb.ref('metadata')} || ${JSON.stringify({ dialogue: metadata })}::jsonb`,
    }))
    .where('id', '=', ctx.attempt_id)
    .execute();
}

/** `completeSurvey`: response, attempt, contact and `survey.completed` event; the caller's transaction. */
export async function completeSurvey(
  trx: Transaction<DB>,
  ctx: CallContext,
  script: DialogueScript,
  answers: readonly [DialogueAnswer, DialogueAnswer, DialogueAnswer],
  now: Date,
): Promise<void> {
  const [a1, a2, a3] = answers;
  const inserted = await trx
    .insertInto('survey_responses')
    .values({
      contact_id: ctx.contact_id, campaign_id: ctx.campaign_id, call_attempt_id: ctx.attempt_id,
      q1_answer: toText(a1), q1_confidence: conf(a1), q2_answer: toText(a2), q2_confidence: conf(a2), q3_answer: toText(a3), q3_confidence: conf(a3),
      completed_at: now,
    })
    .onConflict((oc) => oc.column('contact_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return; // already completed by an earlier call: nothing more to record
  await finishAttempt(trx, ctx, now, 'completed', null, { outcome: 'completed' });
  await trx.updateTable('contacts').set({ state: 'completed', last_outcome: 'completed', retry_not_before: null }).where('id', '=', ctx.contact_id).execute();
  await trx
    .insertInto('events')
    .values({
      event_type: 'survey.completed', campaign_id: ctx.campaign_id, contact_id: ctx.contact_id, call_attempt_id: ctx.attempt_id,
      payload: { call_attempt_id: ctx.attempt_id, completed_at: now.toISOString(), answers: answerPayload(script, { q1: a1, q2: a2, q3: a3 }) },
    })
    .execute();
}

/** Refusal (consent declined or stopped mid-survey), or opt-out (plus the exclusion list). */
export async function recordRefusal(
  trx: Transaction<DB>,
  ctx: CallContext,
  script: DialogueScript,
  outcome: Extract<DialogueOutcome, { kind: 'refused' | 'opt_out' }>,
  now: Date,
): Promise<void> {
  const reason = outcome.kind === 'opt_out' ? 'opt_out' : outcome.reason;
  await finishAttempt(trx, ctx, now, 'refused', outcome.kind === 'opt_out' ? 'opt_out' : null, { outcome: outcome.kind, reason });
  await trx
    .updateTable('contacts')
    .set({ state: 'refused', last_outcome: 'refused', retry_not_before: null, ...(outcome.kind === 'opt_out' ? { do_not_call: true } : {}) })
    .where('id', '=', ctx.contact_id)
    .execute();
  if (outcome.kind === 'opt_out') {
    await trx
      .insertInto('exclusion_list_entries')
      .values({ phone_number: ctx.phone_number, reason: 'opt-out requested during a survey call', source: 'api', call_attempt_id: ctx.attempt_id })
      .onConflict((oc) => oc.column('phone_number').doNothing())
      .execute();
    // The same number waiting in other campaigns is never dialled now.
    await trx
      .updateTable('contacts')
      .set({ state: 'excluded', do_not_call: true })
      .where('phone_number', '=', ctx.phone_number)
      .where('id', '!=', ctx.contact_id)
      .where('state', 'in', ['pending', 'not_reached'])
      .execute();
  }
  await trx
    .insertInto('events')
    .values({
      event_type: 'survey.refused', campaign_id: ctx.campaign_id, contact_id: ctx.contact_id, call_attempt_id: ctx.attempt_id,
      payload: { call_attempt_id: ctx.attempt_id, reason, refused_at: now.toISOString(), partial_answers: answerPayload(script, outcome.answers) },
    })
    .execute();
}

/** Callback, break-off, no response: the contact goes back to the retry pool (or is not reached after its last attempt). */
export async function recordRetryable(
  trx: Transaction<DB>,
  ctx: CallContext,
  outcome: Extract<DialogueOutcome, { kind: 'callback' | 'break_off' | 'no_response' }>,
  now: Date,
): Promise<void> {
  const code = outcome.kind === 'callback' ? 'callback_requested' : outcome.kind;
  const meta: Record<string, unknown> = { outcome: outcome.kind };
  if (outcome.kind === 'callback') meta.callback_at = outcome.at ?? null;
  if (outcome.kind === 'no_response') meta.reason = outcome.reason;
  await finishAttempt(trx, ctx, now, 'failed', code, meta);
  const exhausted = ctx.attempts_count >= ctx.max_attempts;
  if (exhausted) {
    await trx.updateTable('contacts').set({ state: 'not_reached', last_outcome: 'failed', retry_not_before: null }).where('id', '=', ctx.contact_id).execute();
    await trx
      .insertInto('events')
      .values({
        event_type: 'survey.not_reached', campaign_id: ctx.campaign_id, contact_id: ctx.contact_id, call_attempt_id: ctx.attempt_id,
        payload: { call_attempt_id: ctx.attempt_id, reason: code, attempts: ctx.attempts_count },
      })
      .execute();
    return;
  }
  const notBefore = outcome.kind === 'callback' && outcome.at ? new Date(outcome.at) : outcome.kind === 'callback' ? new Date(now.getTime() + ctx.retry_interval_minutes * 60_000) : null;
  await trx.updateTable('contacts').set({ state: 'pending', last_outcome: 'failed', retry_not_before: notBefore }).where('id', '=', ctx.contact_id).execute();
}

export async function applyOutcome(trx: Transaction<DB>, ctx: CallContext, script: DialogueScript, outcome: DialogueOutcome, now: Date): Promise<void> {
  switch (outcome.kind) {
    case 'completed':
      return completeSurvey(trx, ctx, script, outcome.answers, now);
    case 'refused':
    case 'opt_out':
      return recordRefusal(trx, ctx, script, outcome, now);
    default:
      return recordRetryable(trx, ctx, outcome, now);
  }
}
