/**
 * Applying the end of a dialogue: attempt, contact, survey response, exclusion
 * and outbox event change together, inside the caller's transaction — which
 * holds the attempt's row lock and has checked, through `settle()`, that the
 * attempt has no outcome yet (src/domain/calling/settlement.ts).
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
 * A retryable ending on the contact's last allowed attempt closes it as
 * `not_reached` with a `survey.not_reached` event, as the scheduler does. The
 * contact is moved only while it is `in_progress` on this very attempt
 * (`contactAfterDialogue`); a contact that became finished completes its
 * campaign when it was the last one — checked by the caller once the
 * transaction has committed (`completeCampaignsIfFinished`), so call endings do
 * not queue on the campaign row.
 */
import { sql, type Transaction } from 'kysely';
import { attemptOutcomeOfDialogue, contactAfterDialogue, type DialogueEnding } from '../../domain/calling/settlement.js';
import type { DialogueAnswer, DialogueOutcome, DialogueScript, QuestionStage } from '../../domain/dialogue/step.js';
import type { DB } from '../../db/schema/index.js';
import { insertFinalEvent } from '../calling/outcomes.js';
import { lockExclusionNumber } from '../exclusions/number-lock.js';
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

/** Attempt details the dialogue records in `call_attempts.metadata.dialogue`. */
function dialogueMetadata(outcome: DialogueOutcome): Record<string, unknown> {
  const meta: Record<string, unknown> = { outcome: outcome.kind };
  if (outcome.kind === 'refused') meta.reason = outcome.reason;
  if (outcome.kind === 'opt_out') meta.reason = 'opt_out';
  if (outcome.kind === 'callback') meta.callback_at = outcome.at ?? null;
  if (outcome.kind === 'no_response') meta.reason = outcome.reason;
  return meta;
}

/**
 * The number asked not to be called again: an exclusion list entry naming this
 * call, `do_not_call` on the contact, and every contact with this number still
 * waiting to be dialled (any campaign) becomes `excluded`. Returns the campaigns
 * of those contacts: once `trx` has committed, the caller completes the ones
 * that had nothing else left (`completeCampaignsIfFinished`). Also applied when
 * the opt-out came too late to be the attempt's outcome (the call had already
 * been settled as a break-off): the request is honoured all the same.
 *
 * Locks in the order of src/commands/exclusions/number-lock.ts: the number, the
 * entry, then the number's contacts in id order — so two opt-outs of one number
 * (two campaigns calling the same person), or an opt-out and an exclusion added
 * through the API, an import or the re-check, never wait on each other in a circle.
 */
export async function honourOptOut(trx: Transaction<DB>, ctx: CallContext, opts: { includeOwnContact: boolean }): Promise<string[]> {
  await lockExclusionNumber(trx, ctx.phone_number);
  await trx
    .insertInto('exclusion_list_entries')
    .values({ phone_number: ctx.phone_number, reason: 'opt-out requested during a survey call', source: 'api', call_attempt_id: ctx.attempt_id })
    .onConflict((oc) => oc.column('phone_number').doNothing())
    .execute();
  // One statement: the contact and the number's waiting contacts locked in id order, the waiting ones excluded.
  const excluded = await sql<{ campaign_id: string }>`
    WITH locked AS (
      SELECT id FROM contacts
      WHERE phone_number = ${ctx.phone_number}
        AND (id = ${ctx.contact_id} OR (state IN ('pending', 'not_reached') AND closed_at IS NULL))
      ORDER BY id
      FOR UPDATE
    )
    UPDATE contacts c SET state = 'excluded', do_not_call = true
    FROM locked
    WHERE c.id = locked.id AND c.state IN ('pending', 'not_reached') AND c.closed_at IS NULL
      ${opts.includeOwnContact ? sql`` : sql`AND c.id <> ${ctx.contact_id}`}
    RETURNING c.campaign_id`.execute(trx);
  await trx.updateTable('contacts').set({ do_not_call: true }).where('id', '=', ctx.contact_id).execute();
  return [...new Set(excluded.rows.map((r) => r.campaign_id))];
}

/**
 * `completeSurvey`: the contact `completed`, the `survey.completed` event with
 * the answers and the survey response (answers normalized by type) — inside
 * `applyOutcome`'s transaction, which then marks the attempt completed.
 */
async function completeSurvey(
  trx: Transaction<DB>,
  ctx: CallContext,
  script: DialogueScript,
  answers: readonly [DialogueAnswer, DialogueAnswer, DialogueAnswer],
  now: Date,
): Promise<void> {
  const [a1, a2, a3] = answers;
  await trx.updateTable('contacts').set({ state: 'completed', last_outcome: 'completed', retry_not_before: null }).where('id', '=', ctx.contact_id).execute();
  await insertFinalEvent(trx, {
    type: 'survey.completed', campaignId: ctx.campaign_id, contactId: ctx.contact_id, attemptId: ctx.attempt_id,
    payload: { call_attempt_id: ctx.attempt_id, completed_at: now.toISOString(), answers: answerPayload(script, { q1: a1, q2: a2, q3: a3 }) },
  });
  // Last: its roll-up trigger updates the answer-count rows every completion shares.
  await trx
    .insertInto('survey_responses')
    .values({
      contact_id: ctx.contact_id, campaign_id: ctx.campaign_id, call_attempt_id: ctx.attempt_id,
      q1_answer: toText(a1), q1_confidence: conf(a1), q2_answer: toText(a2), q2_confidence: conf(a2), q3_answer: toText(a3), q3_confidence: conf(a3),
      completed_at: now,
    })
    .execute();
}

/**
 * Records the dialogue's ending of attempt `attemptNumber` (whose row the caller
 * has locked): the contact (locked here), the survey response, the exclusion
 * and the final event as `contactAfterDialogue` says, then the attempt's
 * outcome. Returns whether the contact became finished, and the campaigns the
 * caller completes, if nothing is left in them, once `trx` has committed
 * (`completeCampaignsIfFinished`): the contact's own when it became finished,
 * and those where an opt-out excluded waiting contacts.
 */
export async function applyOutcome(
  trx: Transaction<DB>,
  ctx: CallContext,
  attemptNumber: number,
  script: DialogueScript,
  outcome: DialogueOutcome,
  now: Date,
): Promise<{ contactFinished: boolean; campaigns: string[] }> {
  const ending: DialogueEnding = outcome.kind;
  const { outcome: attemptOutcome, errorCode } = attemptOutcomeOfDialogue(ending);
  // The attempt's outcome is written last (the caller holds its row lock from the start): its
  // roll-up trigger updates the campaign's hourly counter row, which every call ending in the
  // same hour needs too, so that row stays locked only for the end of this transaction.
  const markAttempt = () =>
    trx
      .updateTable('call_attempts')
      .set((eb) => ({
        outcome: attemptOutcome,
        error_code: errorCode,
        answered_at: eb.fn.coalesce('answered_at', eb.val(now)),
        ended_at: eb.fn.coalesce('ended_at', eb.val(now)),
        metadata: sql<Record<string, unknown>>`${eb.ref('metadata')} || ${JSON.stringify({ dialogue: dialogueMetadata(outcome) })}::jsonb`,
      }))
      .where('id', '=', ctx.attempt_id)
      .execute();

  // An opt-out locks other contacts of the number too (honourOptOut): its number is
  // locked before any contact row, this one included (src/commands/exclusions/number-lock.ts).
  if (outcome.kind === 'opt_out') await lockExclusionNumber(trx, ctx.phone_number);
  const contact = await trx
    .selectFrom('contacts')
    .innerJoin('campaigns', 'campaigns.id', 'contacts.campaign_id')
    .select(['contacts.state', 'contacts.attempts_count', 'campaigns.max_attempts', 'campaigns.retry_interval_minutes'])
    .where('contacts.id', '=', ctx.contact_id)
    .forUpdate('contacts')
    .executeTakeFirstOrThrow();
  const change = contactAfterDialogue({ state: contact.state, attemptsCount: contact.attempts_count }, attemptNumber, ending, contact.max_attempts);
  const event = { campaignId: ctx.campaign_id, contactId: ctx.contact_id, attemptId: ctx.attempt_id };
  let excludedIn: string[] = [];

  switch (change.kind) {
    case 'none': {
      // The contact moved on under this attempt (settled otherwise, or changed by
      // someone else), so this ending changes nothing about it — but a request
      // not to be called again is honoured all the same.
      const campaigns = outcome.kind === 'opt_out' ? await honourOptOut(trx, ctx, { includeOwnContact: true }) : [];
      await markAttempt();
      return { contactFinished: false, campaigns };
    }
    case 'completed': {
      if (outcome.kind !== 'completed') throw new Error('applyOutcome: completed contact without a completed dialogue');
      await completeSurvey(trx, ctx, script, outcome.answers, now);
      break;
    }
    case 'refused': {
      if (outcome.kind !== 'refused' && outcome.kind !== 'opt_out') throw new Error('applyOutcome: refused contact without a refusal');
      const reason = outcome.kind === 'opt_out' ? 'opt_out' : outcome.reason;
      await trx
        .updateTable('contacts')
        .set({ state: 'refused', last_outcome: 'refused', retry_not_before: null })
        .where('id', '=', ctx.contact_id)
        .execute();
      if (change.optOut) excludedIn = await honourOptOut(trx, ctx, { includeOwnContact: false });
      await insertFinalEvent(trx, {
        ...event, type: 'survey.refused',
        payload: { call_attempt_id: ctx.attempt_id, reason, refused_at: now.toISOString(), partial_answers: answerPayload(script, outcome.answers) },
      });
      break;
    }
    case 'retry': {
      const notBefore = outcome.kind === 'callback'
        ? (outcome.at ? new Date(outcome.at) : new Date(now.getTime() + contact.retry_interval_minutes * 60_000))
        : null;
      await trx.updateTable('contacts').set({ state: 'pending', last_outcome: 'failed', retry_not_before: notBefore }).where('id', '=', ctx.contact_id).execute();
      await markAttempt();
      return { contactFinished: false, campaigns: [] };
    }
    case 'not_reached': {
      await trx
        .updateTable('contacts')
        .set({ state: 'not_reached', last_outcome: 'failed', retry_not_before: null, closed_at: now })
        .where('id', '=', ctx.contact_id)
        .execute();
      await insertFinalEvent(trx, {
        ...event, type: 'survey.not_reached',
        payload: { call_attempt_id: ctx.attempt_id, reason: errorCode, attempts: contact.attempts_count, last_outcome: 'failed', error_code: errorCode },
      });
      break;
    }
  }
  await markAttempt();
  return { contactFinished: true, campaigns: [ctx.campaign_id, ...excludedIn] };
}
