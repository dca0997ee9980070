/**
 * Recording what happened to a claimed call: placement, placement failure,
 * provider status callbacks, reconciliation. Each function is one transaction,
 * followed — when it closed a contact for good — by the campaign's completion
 * check in a short transaction of its own (`endCall`).
 *
 * Lock order, the same everywhere (the dialogue commands included): the
 * attempt row (`FOR UPDATE`) → its `call_dialogues` row → (an opt-out: the
 * number's lock, src/commands/exclusions/number-lock.ts) → the contact. A call
 * ending does not lock the campaign row; its completion check does, after the
 * ending has committed. Every writer of an attempt's outcome holds the attempt's lock and
 * re-reads it first, and asks `settle()` (src/domain/calling/settlement.ts)
 * what to do — so one outcome, and at most one final event, per attempt.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { CallAttemptsTable, DB } from '../../db/schema/index.js';
import type { CallAttemptsCallingColumns } from '../../db/schema/calling.js';
import {
  applyEventToAttempt,
  contactAfterOutcome,
  isTerminalStatus,
  type AttemptPatch,
  type AttemptView,
  type Outcome,
} from '../../domain/calling/transitions.js';
import { applyFinalStatus, settle, type DialoguePhase, type Settlement } from '../../domain/calling/settlement.js';
import type { EventType } from '../../db/schema/index.js';
import type { AnsweredBy, CallEvent, CallStatus } from '../../domain/ports/telephony.js';
import { closeExhaustedContacts } from './exhausted.js';

export type AttemptRow = Selectable<CallAttemptsTable & CallAttemptsCallingColumns>;

const inTransaction = <T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> =>
  db.isTransaction ? fn(db as Transaction<DB>) : db.transaction().execute(fn);

/** The attempt row, locked for the rest of the transaction (first lock of every outcome writer). */
export async function lockAttempt(trx: Transaction<DB>, by: { id: string } | { callId: string }): Promise<AttemptRow | undefined> {
  const q = trx.selectFrom('call_attempts').selectAll();
  return ('id' in by ? q.where('id', '=', by.id) : q.where('call_id', '=', by.callId)).forUpdate().executeTakeFirst();
}

/** The attempt's dialogue, its row locked (second in the lock order). */
export async function dialoguePhase(trx: Transaction<DB>, attemptId: string): Promise<DialoguePhase> {
  const row = await sql<{ stage: string | null }>`
    SELECT state->>'stage' AS stage FROM call_dialogues WHERE call_attempt_id = ${attemptId} FOR UPDATE`.execute(trx);
  const stage = row.rows[0];
  if (!stage) return 'none';
  return stage.stage === 'done' ? 'done' : 'live';
}

/**
 * Closes a live dialogue whose attempt the carrier decided (machine, failure,
 * timeout): the conversation is over, later turns change nothing. Only the
 * stage is touched; the dialogue's own answers stay in its turn log.
 */
async function closeDialogue(trx: Transaction<DB>, attemptId: string): Promise<void> {
  await sql`UPDATE call_dialogues SET state = jsonb_set(state, '{stage}', '"done"'), version = version + 1
    WHERE call_attempt_id = ${attemptId} AND state->>'stage' <> 'done'`.execute(trx);
}

/**
 * The one way a final event (survey.completed / refused / not_reached) is
 * written. The caller holds the attempt's lock and has just given it its
 * outcome; the unique index events_final_per_attempt_key makes a second final
 * event for an attempt fail the whole transaction.
 */
export async function insertFinalEvent(
  trx: Transaction<DB>,
  e: { type: EventType; campaignId: string; contactId: string; attemptId: string; payload: Record<string, unknown> },
): Promise<void> {
  await trx
    .insertInto('events')
    .values({ event_type: e.type, campaign_id: e.campaignId, contact_id: e.contactId, call_attempt_id: e.attemptId, payload: e.payload })
    .execute();
}

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
  /** The campaign became completed (checked once the ending had committed: `endCall`). */
  readonly campaignCompleted?: boolean;
}

/**
 * Writes an attempt patch, and when it gives the attempt its outcome moves the
 * contact and writes the outbox event — all in `trx`, which holds the
 * attempt's lock. When the contact was closed for good (`contactFinal`) the
 * caller completes the campaign once `trx` has committed
 * (`completeCampaignIfFinished`, see `endCall`).
 */
export async function applyPatch(
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
  await insertFinalEvent(trx, {
    type: 'survey.not_reached', campaignId: attempt.campaign_id, contactId: attempt.contact_id, attemptId: attempt.id,
    payload: { attempts: contact.attempts_count, last_outcome: change.lastOutcome, error_code: patch.errorCode ?? attempt.error_code ?? null },
  });
  return { outcome: patch.outcome, contactFinal: true };
}

/**
 * A call ending: `end` runs in one transaction and names the campaign whose
 * contact it closed for good (`finished`); once that transaction has
 * committed, `completeCampaignIfFinished` runs in a short transaction of its
 * own and says whether the campaign became completed (`campaignCompleted`).
 *
 * Checked inside the ending, the campaign's row lock was held until the ending
 * committed, and with many calls ending at once (the end of a campaign: nothing
 * left to dial) every ending queued on it (bench:turn, bench/README.md). After
 * the commit there is no write skew either: each ending checks after its own
 * commit, so of two endings closing a campaign's last two contacts, the later
 * to commit sees the other's commit. A crash between the commit and the check
 * leaves the campaign to the scheduler's `completeFinishedCampaigns`.
 *
 * Given a transaction (a caller composing this with more work), nothing commits
 * here, so the check runs inside it, under the campaign's lock.
 */
async function endCall<T extends object>(
  db: Kysely<DB>,
  end: (trx: Transaction<DB>) => Promise<{ result: T; finished: string | null }>,
): Promise<T> {
  const { result, finished } = await inTransaction(db, end);
  if (!finished) return result;
  return { ...result, campaignCompleted: await completeCampaignIfFinished(db, finished) };
}

/** `endCall`'s `finished`: the attempt's campaign when the change closed its contact for good. */
const finishedBy = (attempt: AttemptRow, change: AppliedChange): string | null => (change.contactFinal ? attempt.campaign_id : null);

/**
 * After the endings that closed contacts in `ids` have committed: completes
 * each campaign that has nothing left (`completeCampaignIfFinished`, one short
 * transaction each). Returns the campaigns that became completed.
 */
export async function completeCampaignsIfFinished(db: Kysely<DB>, ids: readonly string[]): Promise<string[]> {
  const done: string[] = [];
  for (const id of [...new Set(ids)].sort()) if (await completeCampaignIfFinished(db, id)) done.push(id);
  return done;
}

/**
 * A running or paused campaign none of whose contacts can still be dialled
 * (all completed, refused, excluded or finally not_reached) becomes completed.
 * Both lookups are index-driven (contacts_campaign_state_idx, contacts_dialable_consent_idx).
 *
 * Call endings run it after they have committed (`endCall`,
 * `completeCampaignsIfFinished`), never inside their own transaction; the
 * decision runs in a short transaction of its own (in `db`'s, when `db` is one).
 */
export async function completeCampaignIfFinished(db: Kysely<DB>, campaignId: string): Promise<boolean> {
  // While the campaign still has contacts waiting to be dialled, no call ending
  // can finish it: only contacts on a call are closed by call endings, and a
  // contact waiting to be dialled stays open whatever they commit. That look
  // needs no lock (one index probe that stops at the first row), so call
  // endings do not queue on the campaign row while there is dialling left.
  // Without such contacts, the locked check below decides.
  const dialable = await sql<{ open: boolean }>`
    SELECT EXISTS (SELECT 1 FROM contacts WHERE campaign_id = ${campaignId}
                   AND state IN ('pending', 'not_reached') AND closed_at IS NULL) AS open`.execute(db);
  if (dialable.rows[0]?.open) return false;
  return inTransaction(db, async (trx) => {
    // Serialize the check per campaign. Two transactions that closed the last
    // two contacts and checked before committing would each still see the
    // other's contact open (write skew) and neither complete the campaign; call
    // endings check after their commit, which rules that out, and the lock keeps
    // the check safe for a caller that runs it inside such a transaction. It is
    // held for this short transaction only, never for a call's ending.
    await sql`SELECT id FROM campaigns WHERE id = ${campaignId} FOR NO KEY UPDATE`.execute(trx);
    const res = await sql`
      UPDATE campaigns SET status = 'completed'
      WHERE id = ${campaignId} AND status IN ('running', 'paused')
        AND NOT EXISTS (SELECT 1 FROM contacts WHERE campaign_id = ${campaignId} AND state = 'in_progress')
        AND NOT EXISTS (SELECT 1 FROM contacts WHERE campaign_id = ${campaignId}
                        AND state IN ('pending', 'not_reached') AND closed_at IS NULL)`.execute(trx);
    return Number(res.numAffectedRows ?? 0) > 0;
  });
}

/** Completes every running campaign that has nothing left to dial (the scheduler runs it each tick). */
export async function completeFinishedCampaigns(db: Kysely<DB>): Promise<string[]> {
  const running = await db.selectFrom('campaigns').select('id').where('status', 'in', ['running', 'paused']).execute();
  return completeCampaignsIfFinished(db, running.map((c) => c.id));
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
 * is still the contact's current one. A contact given back without an attempt
 * left — claimed before `max_attempts` was lowered to its count — is closed as
 * not_reached (`closeExhaustedContacts`), and once that has committed its
 * campaign is completed if nothing is left.
 */
export async function releaseClaim(db: Kysely<DB>, input: { attemptId: string; retryNotBefore: Date | null; now?: Date }): Promise<boolean> {
  const { released, closedIn } = await inTransaction(db, async (trx) => {
    const none = { released: false, closedIn: null };
    const attempt = await lockAttempt(trx, { id: input.attemptId });
    if (!attempt || attempt.outcome !== null || attempt.provider_call_id !== null) return none;
    const contact = await trx.selectFrom('contacts').select(['id', 'state', 'attempts_count', 'retry_not_before']).where('id', '=', attempt.contact_id).forUpdate().executeTakeFirstOrThrow();
    await trx.deleteFrom('call_attempts').where('id', '=', attempt.id).execute();
    if (contact.state !== 'in_progress' || contact.attempts_count !== attempt.attempt_number) return { ...none, released: true };
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
    // A first attempt given back leaves 0 attempts: below any limit, nothing to check.
    const closed = contact.attempts_count > 1
      && (await closeExhaustedContacts(trx, attempt.campaign_id, { now: input.now ?? new Date(), contactIds: [contact.id] })) > 0;
    return { released: true, closedIn: closed ? attempt.campaign_id : null };
  });
  if (closedIn) await completeCampaignIfFinished(db, closedIn);
  return released;
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
  if (!input.permanent) return { released: await releaseClaim(db, { attemptId: input.attemptId, retryNotBefore: input.retryNotBefore, now: input.now }) };
  return endCall(db, async (trx) => {
    const attempt = await lockAttempt(trx, { id: input.attemptId });
    if (!attempt || attempt.outcome !== null) return { result: {}, finished: null };
    const applied = await applyPatch(trx, attempt, { outcome: 'failed', callStatus: 'failed', errorCode: input.errorCode, endedAt: input.now }, { forceFinal: true, now: input.now });
    return { result: applied, finished: finishedBy(attempt, applied) };
  });
}

export type CallEventResult =
  | { readonly status: 'unknown_call' }
  | { readonly status: 'duplicate' }
  | ({
      readonly status: 'recorded';
      readonly attemptId: string;
      /**
       * The call ended (a person hung up) while its dialogue was live: the outcome is not
       * decided yet. The caller gives a turn in flight its grace, then closes the dialogue
       * (`abandonDialogue`); the reconciler does it if the caller cannot.
       */
      readonly awaitingDialogue?: boolean;
    } & AppliedChange);

/**
 * One verified status callback: the raw event is stored (a repeat of the same
 * provider call id and sequence number is a no-op), then applied monotonically
 * to the attempt, the contact and the outbox, in one transaction. A final
 * status is settled with the attempt's dialogue (`settle`): it decides at once,
 * or — a person hung up on a live dialogue — records the call's end and waits.
 */
export async function recordCallEvent(db: Kysely<DB>, input: { callId: string; event: CallEvent; now: Date }): Promise<CallEventResult> {
  const { event } = input;
  const none = (result: CallEventResult) => ({ result, finished: null });
  return endCall<CallEventResult>(db, async (trx) => {
    const attempt = await lockAttempt(trx, { callId: input.callId });
    if (!attempt) return none({ status: 'unknown_call' });
    if (attempt.provider_call_id !== null && attempt.provider_call_id !== event.providerCallId) return none({ status: 'unknown_call' });
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
    if (!inserted) return none({ status: 'duplicate' });
    if (!isTerminalStatus(event.status)) {
      const applied = await applyPatch(trx, attempt, applyEventToAttempt(viewOf(attempt), event), { providerCallId: event.providerCallId, now: input.now });
      return { result: { status: 'recorded', attemptId: attempt.id, ...applied }, finished: finishedBy(attempt, applied) };
    }
    const phase = attempt.outcome === null ? await dialoguePhase(trx, attempt.id) : 'done';
    const { patch, settlement } = applyFinalStatus(viewOf(attempt), event, phase, 'final_status');
    const applied = await applyPatch(trx, attempt, patch, { providerCallId: event.providerCallId, now: input.now });
    if (settlement.kind === 'carrier' && settlement.closeDialogue) await closeDialogue(trx, attempt.id);
    return {
      result: { status: 'recorded', attemptId: attempt.id, ...applied, ...(settlement.kind === 'wait' ? { awaitingDialogue: true } : {}) },
      finished: finishedBy(attempt, applied),
    };
  });
}

/** The final status already recorded for an attempt still without an outcome (it was waiting for its dialogue). */
function recordedFinalStatus(a: AttemptRow): { status: CallStatus; answeredBy: AnsweredBy | null } | null {
  return a.call_status && isTerminalStatus(a.call_status) ? { status: a.call_status as CallStatus, answeredBy: a.answered_by as AnsweredBy | null } : null;
}

/**
 * Reconciliation of one attempt that never got its outcome, once no dialogue
 * turn can still be in flight (`quiet`). `fetched` is what the provider says
 * now (null: unknown there, or not asked); a final status the attempt already
 * recorded counts too. A final status is applied like a callback; without one
 * the attempt is closed as failed with error_code `reconciled_timeout`. When a
 * person hung up on a live dialogue the result is `dialogueBreakOff`: nothing
 * is decided here, the caller closes the dialogue (`abandonDialogue`), which
 * keeps its partial answers.
 */
export async function reconcileAttempt(
  db: Kysely<DB>,
  input: { attemptId: string; now: Date; fetched: { status: string; durationSeconds?: number; answeredBy?: AnsweredBy } | null },
): Promise<AppliedChange & { dialogueBreakOff?: boolean }> {
  return endCall<AppliedChange & { dialogueBreakOff?: boolean }>(db, async (trx) => {
    const attempt = await lockAttempt(trx, { id: input.attemptId });
    if (!attempt || attempt.outcome !== null) return { result: {}, finished: null };
    const phase = await dialoguePhase(trx, attempt.id);
    const f = input.fetched && isTerminalStatus(input.fetched.status) ? input.fetched : null;
    const known = recordedFinalStatus(attempt);
    let settlement: Settlement;
    let patch: AttemptPatch;
    if (f) {
      const event: CallEvent = {
        providerCallId: attempt.provider_call_id ?? 'unknown',
        sequence: (attempt.last_sequence ?? -1) + 1,
        status: f.status as CallStatus,
        rawStatus: f.status,
        occurredAt: input.now,
        ...(f.durationSeconds !== undefined ? { durationSeconds: f.durationSeconds } : {}),
        ...(f.answeredBy ? { answeredBy: f.answeredBy } : {}),
      };
      ({ patch, settlement } = applyFinalStatus(viewOf(attempt), event, phase, 'quiet'));
    } else {
      settlement = settle({ outcome: null, dialogue: phase, finalStatus: known }, 'quiet');
      patch = settlement.kind === 'carrier'
        ? { outcome: settlement.outcome, ...(settlement.errorCode && !attempt.error_code ? { errorCode: settlement.errorCode } : {}), ...(attempt.ended_at ? {} : { endedAt: input.now }) }
        : {};
    }
    const applied = await applyPatch(trx, attempt, patch, { now: input.now });
    if (settlement.kind === 'carrier' && settlement.closeDialogue) await closeDialogue(trx, attempt.id);
    return { result: settlement.kind === 'break_off' ? { ...applied, dialogueBreakOff: true } : applied, finished: finishedBy(attempt, applied) };
  });
}

/**
 * Placed attempts (the provider gave us an id) still without an outcome, claimed
 * before `startedBefore` — or, with `endedBefore`, whose call ended (final status
 * recorded, waiting for the dialogue) before then: the process giving a turn its
 * grace died. Uses call_attempts_open_idx (started_at WHERE outcome IS NULL):
 * open attempts are few (at most the live calls).
 */
export async function findStaleAttempts(db: Kysely<DB>, input: { startedBefore: Date; endedBefore?: Date; limit: number }) {
  return db
    .selectFrom('call_attempts')
    .select(['id', 'call_id', 'provider_call_id', 'call_status'])
    .where('outcome', 'is', null)
    .where('provider_call_id', 'is not', null)
    .where((eb) => {
      const stale = eb('started_at', '<', input.startedBefore);
      if (!input.endedBefore) return stale;
      return eb.or([stale, eb.and([eb('call_status', 'in', ['completed', 'busy', 'no_answer', 'failed', 'canceled']), eb('ended_at', '<', input.endedBefore)])]);
    })
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
