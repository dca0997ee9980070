/**
 * Recording what happened to a claimed call: placement, placement failure,
 * provider status callbacks, reconciliation. Each function is one transaction;
 * row locks are taken attempt first, then contact (same order everywhere).
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { CallAttemptsTable, DB } from '../../db/schema/index.js';
import type { CallAttemptsCallingColumns } from '../../db/schema/calling.js';
import {
  applyEventToAttempt,
  contactAfterOutcome,
  type AttemptPatch,
  type AttemptView,
  type Outcome,
} from '../../domain/calling/transitions.js';
import type { AnsweredBy, CallEvent } from '../../domain/ports/telephony.js';

type AttemptRow = Selectable<CallAttemptsTable & CallAttemptsCallingColumns>;

const inTransaction = <T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> =>
  db.isTransaction ? fn(db as Transaction<DB>) : db.transaction().execute(fn);

function viewOf(a: AttemptRow): AttemptView {
  return {
    outcome: a.outcome as Outcome | null,
    callStatus: a.call_status,
    lastSequence: a.last_sequence,
    answeredAt: a.answered_at,
    endedAt: a.ended_at,
    answeredBy: a.answered_by as AnsweredBy | null,
    durationSeconds: a.duration_seconds,
    errorCode: a.error_code,
  };
}

/** The result of applying one terminal-or-not change to an attempt. */
export interface AppliedChange {
  /** Set when this change gave the attempt its outcome. */
  readonly outcome?: Outcome;
  /** The contact was closed as not_reached for good (survey.not_reached written). */
  readonly contactFinal?: boolean;
  /** The campaign became completed. */
  readonly campaignCompleted?: boolean;
}

/**
 * Writes an attempt patch, and when it gives the attempt its outcome moves the
 * contact, writes the outbox event and completes the campaign — all in `trx`.
 */
async function applyPatch(
  trx: Transaction<DB>,
  attempt: AttemptRow,
  patch: AttemptPatch,
  opts: { forceFinal?: boolean; providerCallId?: string; now: Date },
): Promise<AppliedChange> {
  const set: Record<string, unknown> = {};
  if (patch.outcome) set.outcome = patch.outcome;
  if (patch.callStatus) set.call_status = patch.callStatus;
  if (patch.rawStatus) set.provider_raw_status = patch.rawStatus;
  if (patch.lastSequence !== undefined) set.last_sequence = patch.lastSequence;
  if (patch.answeredAt) set.answered_at = patch.answeredAt;
  if (patch.endedAt) set.ended_at = patch.endedAt;
  if (patch.answeredBy) set.answered_by = patch.answeredBy;
  if (patch.durationSeconds !== undefined) set.duration_seconds = patch.durationSeconds;
  if (patch.errorCode) set.error_code = patch.errorCode;
  if (opts.providerCallId && !attempt.provider_call_id) set.provider_call_id = opts.providerCallId;
  if (Object.keys(set).length > 0) await trx.updateTable('call_attempts').set(set).where('id', '=', attempt.id).execute();
  if (!patch.outcome) return {};

  const contact = await trx
    .selectFrom('contacts')
    .innerJoin('campaigns', 'campaigns.id', 'contacts.campaign_id')
    .select(['contacts.id', 'contacts.state', 'contacts.attempts_count', 'campaigns.max_attempts'])
    .where('contacts.id', '=', attempt.contact_id)
    .forUpdate('contacts')
    .executeTakeFirstOrThrow();
  const change = contactAfterOutcome(
    { state: contact.state, attemptsCount: contact.attempts_count },
    attempt.attempt_number,
    patch.outcome,
    contact.max_attempts,
    { forceFinal: opts.forceFinal },
  );
  if (change.kind === 'none') return { outcome: patch.outcome };
  await trx
    .updateTable('contacts')
    .set({ state: 'not_reached', last_outcome: change.lastOutcome, closed_at: change.final ? opts.now : null })
    .where('id', '=', contact.id)
    .execute();
  if (!change.final) return { outcome: patch.outcome };
  await trx
    .insertInto('events')
    .values({
      event_type: 'survey.not_reached',
      campaign_id: attempt.campaign_id,
      contact_id: attempt.contact_id,
      call_attempt_id: attempt.id,
      payload: { attempts: contact.attempts_count, last_outcome: change.lastOutcome, error_code: patch.errorCode ?? attempt.error_code ?? null },
    })
    .execute();
  const campaignCompleted = await completeCampaignIfFinished(trx, attempt.campaign_id);
  return { outcome: patch.outcome, contactFinal: true, campaignCompleted };
}

/**
 * A running or paused campaign none of whose contacts can still be dialled
 * (all completed, refused, excluded or finally not_reached) becomes completed.
 * Both lookups are index-driven (contacts_campaign_state_idx, contacts_dialable_idx).
 */
export async function completeCampaignIfFinished(db: Kysely<DB>, campaignId: string): Promise<boolean> {
  // Serialize the check per campaign: two transactions closing the last two
  // contacts would otherwise each still see the other's contact open (write
  // skew) and neither complete the campaign. The lock waits for the other to
  // commit; the UPDATE below then reads with a fresh snapshot and sees it.
  await sql`SELECT id FROM campaigns WHERE id = ${campaignId} FOR NO KEY UPDATE`.execute(db);
  const res = await sql`
    UPDATE campaigns SET status = 'completed'
    WHERE id = ${campaignId} AND status IN ('running', 'paused')
      AND NOT EXISTS (SELECT 1 FROM contacts WHERE campaign_id = ${campaignId} AND state = 'in_progress')
      AND NOT EXISTS (SELECT 1 FROM contacts WHERE campaign_id = ${campaignId}
                      AND state IN ('pending', 'not_reached') AND closed_at IS NULL)`.execute(db);
  return Number(res.numAffectedRows ?? 0) > 0;
}

/** Completes every running campaign that has nothing left to dial (the scheduler runs it each tick). */
export async function completeFinishedCampaigns(db: Kysely<DB>): Promise<string[]> {
  const running = await db.selectFrom('campaigns').select('id').where('status', 'in', ['running', 'paused']).execute();
  const done: string[] = [];
  for (const c of running) if (await completeCampaignIfFinished(db, c.id)) done.push(c.id);
  return done;
}

/** The provider accepted the call: remember its id. Callbacks may already have set it. */
export async function recordPlacement(db: Kysely<DB>, input: { attemptId: string; providerCallId: string; now: Date }): Promise<void> {
  await db
    .updateTable('call_attempts')
    .set((eb) => ({ provider_call_id: eb.fn.coalesce('provider_call_id', eb.val(input.providerCallId)), placed_at: input.now }))
    .where('id', '=', input.attemptId)
    .execute();
}

/**
 * Gives a claim back: the attempt row is deleted (it is not counted), the
 * contact returns to the state and last-attempt time it had before the claim,
 * and waits until `retryNotBefore`. Only while the attempt was never placed and
 * is still the contact's current one.
 */
export async function releaseClaim(db: Kysely<DB>, input: { attemptId: string; retryNotBefore: Date | null }): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const attempt = await trx.selectFrom('call_attempts').selectAll().where('id', '=', input.attemptId).forUpdate().executeTakeFirst();
    if (!attempt || attempt.outcome !== null || attempt.provider_call_id !== null) return false;
    const contact = await trx.selectFrom('contacts').select(['id', 'state', 'attempts_count', 'retry_not_before']).where('id', '=', attempt.contact_id).forUpdate().executeTakeFirstOrThrow();
    await trx.deleteFrom('call_attempts').where('id', '=', attempt.id).execute();
    if (contact.state !== 'in_progress' || contact.attempts_count !== attempt.attempt_number) return true;
    const meta = attempt.metadata as { prev_state?: string; prev_last_attempt_at?: string | null };
    const prevState = meta.prev_state === 'not_reached' ? 'not_reached' : 'pending';
    const keep = contact.retry_not_before && input.retryNotBefore && contact.retry_not_before > input.retryNotBefore ? contact.retry_not_before : input.retryNotBefore;
    await trx
      .updateTable('contacts')
      .set({
        state: prevState,
        attempts_count: contact.attempts_count - 1,
        last_attempt_at: meta.prev_last_attempt_at ? new Date(meta.prev_last_attempt_at) : null,
        retry_not_before: keep,
      })
      .where('id', '=', contact.id)
      .execute();
    return true;
  });
}

/**
 * Placing the call failed. Permanent (the number cannot be called): the attempt
 * fails with the provider's code and the contact is closed as not_reached with
 * survey.not_reached. Transient: the claim is released (not counted) and the
 * contact retried after `retryNotBefore`.
 */
export async function recordPlacementFailure(
  db: Kysely<DB>,
  input: { attemptId: string; permanent: boolean; errorCode: string; now: Date; retryNotBefore: Date },
): Promise<AppliedChange & { released?: boolean }> {
  if (!input.permanent) return { released: await releaseClaim(db, { attemptId: input.attemptId, retryNotBefore: input.retryNotBefore }) };
  return inTransaction(db, async (trx) => {
    const attempt = await trx.selectFrom('call_attempts').selectAll().where('id', '=', input.attemptId).forUpdate().executeTakeFirst();
    if (!attempt || attempt.outcome !== null) return {};
    return applyPatch(trx, attempt, { outcome: 'failed', callStatus: 'failed', errorCode: input.errorCode, endedAt: input.now }, { forceFinal: true, now: input.now });
  });
}

export type CallEventResult =
  | { readonly status: 'unknown_call' }
  | { readonly status: 'duplicate' }
  | ({ readonly status: 'recorded'; readonly attemptId: string } & AppliedChange);

/**
 * One verified status callback: the raw event is stored (a repeat of the same
 * provider call id and sequence number is a no-op), then applied monotonically
 * to the attempt, the contact and the outbox, in one transaction.
 */
export async function recordCallEvent(db: Kysely<DB>, input: { callId: string; event: CallEvent; now: Date }): Promise<CallEventResult> {
  const { event } = input;
  return inTransaction(db, async (trx) => {
    const attempt = await trx.selectFrom('call_attempts').selectAll().where('call_id', '=', input.callId).forUpdate().executeTakeFirst();
    if (!attempt) return { status: 'unknown_call' };
    if (attempt.provider_call_id !== null && attempt.provider_call_id !== event.providerCallId) return { status: 'unknown_call' };
    const inserted = await trx
      .insertInto('call_events')
      .values({
        call_attempt_id: attempt.id,
        provider_call_id: event.providerCallId,
        sequence_number: event.sequence,
        status: event.status,
        raw_status: event.rawStatus,
        occurred_at: event.occurredAt,
        answered_by: event.answeredBy ?? null,
        duration_seconds: event.durationSeconds ?? null,
        error_code: event.errorCode ?? null,
      })
      .onConflict((oc) => oc.columns(['provider_call_id', 'sequence_number']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { status: 'duplicate' };
    const patch = applyEventToAttempt(viewOf(attempt), event);
    const applied = await applyPatch(trx, attempt, patch, { providerCallId: event.providerCallId, now: input.now });
    return { status: 'recorded', attemptId: attempt.id, ...applied };
  });
}

/**
 * Reconciliation of one attempt that never got a final status: `fetched` is
 * what the provider says now (null: unknown there, or not asked). A final
 * provider status is applied like a callback; anything else closes the
 * attempt as failed with error_code `reconciled_timeout`.
 */
export async function reconcileAttempt(
  db: Kysely<DB>,
  input: { attemptId: string; now: Date; fetched: { status: string; durationSeconds?: number; answeredBy?: AnsweredBy } | null },
): Promise<AppliedChange> {
  return inTransaction(db, async (trx) => {
    const attempt = await trx.selectFrom('call_attempts').selectAll().where('id', '=', input.attemptId).forUpdate().executeTakeFirst();
    if (!attempt || attempt.outcome !== null) return {};
    const f = input.fetched;
    const final = f && ['completed', 'busy', 'no_answer', 'failed', 'canceled'].includes(f.status);
    if (final) {
      const event: CallEvent = {
        providerCallId: attempt.provider_call_id ?? 'unknown',
        sequence: (attempt.last_sequence ?? -1) + 1,
        status: f.status as CallEvent['status'],
        rawStatus: f.status,
        occurredAt: input.now,
        durationSeconds: f.durationSeconds,
        answeredBy: f.answeredBy,
      };
      return applyPatch(trx, attempt, applyEventToAttempt(viewOf(attempt), event), { now: input.now });
    }
    return applyPatch(trx, attempt, { outcome: 'failed', errorCode: 'reconciled_timeout', endedAt: input.now }, { now: input.now });
  });
}

/**
 * Placed attempts (the provider gave us an id) still without an outcome, claimed
 * before `startedBefore`. Uses call_attempts_open_idx (started_at WHERE outcome IS NULL).
 */
export async function findStaleAttempts(db: Kysely<DB>, input: { startedBefore: Date; limit: number }) {
  return db
    .selectFrom('call_attempts')
    .select(['id', 'provider_call_id'])
    .where('outcome', 'is', null)
    .where('started_at', '<', input.startedBefore)
    .where('provider_call_id', 'is not', null)
    .orderBy('started_at')
    .limit(input.limit)
    .execute();
}

/** Claims never placed (crash between the claim's commit and the placement), older than `claimedBefore`. */
export async function findUnplacedClaims(db: Kysely<DB>, input: { claimedBefore: Date; limit: number }) {
  return db
    .selectFrom('call_attempts')
    .select(['id'])
    .where('outcome', 'is', null)
    .where('placed_at', 'is', null)
    .where('provider_call_id', 'is', null)
    .where('started_at', '<', input.claimedBefore)
    .orderBy('started_at')
    .limit(input.limit)
    .execute();
}
