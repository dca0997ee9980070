/**
 * Who decides an attempt's outcome when a call's final status and the
 * dialogue's own ending race. Pure: the commands lock the attempt row, read the
 * facts, ask `settle`, and write what it says — so every writer takes the same
 * decision from the same facts, whatever order they arrive in.
 *
 * Two facts end an answered call:
 * - the dialogue's ending (completed, refused, opt-out, callback, no response),
 *   which the dialogue writes the moment its step ends the conversation;
 * - the provider's final status (completed, busy, no-answer, failed, canceled).
 *
 * Rules (the first decision wins; an outcome once written never changes):
 * 1. An attempt that has its outcome keeps it. A dialogue ending that arrives
 *    after that is `late` and is not applied (an opt-out said in it is still
 *    honoured: the number joins the exclusion list).
 * 2. A dialogue ending applies whether or not the final status is known: what
 *    the person said before hanging up counts.
 * 3. A final status that is not a person hanging up (busy, no-answer, failed,
 *    canceled, a machine answer) decides at once; a live dialogue is closed.
 * 4. A person hung up (`completed`, answered by a human) while the dialogue was
 *    live: a turn may still be in flight (its webhook was sent before the
 *    hang-up), so the attempt `wait`s. Whichever comes next decides: that
 *    turn's ending (rule 2), or — once no turn can still be in flight (the
 *    grace after the final status, or the reconciler) — a `break_off` closed by
 *    the dialogue, which keeps the partial answers.
 * 5. A person hung up and there is no dialogue (it never started): break-off.
 * 6. No final status at all once nothing more can come (the reconciler gave up):
 *    failed, `reconciled_timeout`.
 */
import type { AnsweredBy, CallEvent, CallStatus } from '../ports/telephony.js';
import { RETRYABLE_OUTCOMES, applyEventToAttempt, outcomeOf, type AttemptPatch, type AttemptView, type ContactView, type Outcome } from './transitions.js';

/** The dialogue of an attempt: none (never started), live (still talking) or done (ended). */
export type DialoguePhase = 'none' | 'live' | 'done';

export interface FinalStatus {
  readonly status: CallStatus;
  readonly answeredBy?: AnsweredBy | null;
  readonly errorCode?: string | null;
}

export interface SettlementFacts {
  /** The attempt's outcome, when already decided. */
  readonly outcome: Outcome | null;
  readonly dialogue: DialoguePhase;
  /** The call's final status when known (arriving now, or recorded while waiting for the dialogue). */
  readonly finalStatus: FinalStatus | null;
}

/**
 * What just happened:
 * - `final_status`: the provider's final status arrived (in `facts.finalStatus`);
 * - `dialogue_ending`: the dialogue's step ended the conversation;
 * - `quiet`: no dialogue turn can still be in flight (the grace after the final
 *   status is over, or the reconciler settles a call).
 */
export type Arrival = 'final_status' | 'dialogue_ending' | 'quiet';

export type Settlement =
  /** The attempt already has its outcome: only facts still missing are filled in. */
  | { readonly kind: 'keep' }
  /** A dialogue ending after the outcome was decided: not applied. */
  | { readonly kind: 'late' }
  /** Record the final status, decide nothing yet: the dialogue may still end the call itself. */
  | { readonly kind: 'wait' }
  /** The dialogue's ending is the attempt's outcome. */
  | { readonly kind: 'dialogue' }
  /** The person hung up on a live dialogue: the dialogue closes as a break-off. */
  | { readonly kind: 'break_off' }
  /** The carrier's status decides; a live dialogue is closed without an outcome of its own. */
  | { readonly kind: 'carrier'; readonly outcome: Outcome; readonly errorCode?: string; readonly closeDialogue: boolean };

export function settle(facts: SettlementFacts, arrival: Arrival): Settlement {
  if (facts.outcome !== null) return arrival === 'dialogue_ending' ? { kind: 'late' } : { kind: 'keep' };
  if (arrival === 'dialogue_ending') return { kind: 'dialogue' };
  const live = facts.dialogue === 'live';
  const fs = facts.finalStatus;
  if (!fs) {
    if (arrival === 'final_status') throw new Error('settle: a final_status arrival needs the final status');
    return { kind: 'carrier', outcome: 'failed', errorCode: 'reconciled_timeout', closeDialogue: live };
  }
  const carrier = outcomeOf(fs.status, fs.answeredBy);
  const code = fs.errorCode ?? carrier.errorCode;
  const personHungUp = fs.status === 'completed' && carrier.errorCode === 'break_off';
  if (personHungUp && live) return arrival === 'quiet' ? { kind: 'break_off' } : { kind: 'wait' };
  return { kind: 'carrier', outcome: carrier.outcome, ...(code ? { errorCode: code } : {}), closeDialogue: live };
}

/**
 * A final status for an attempt (a callback, or what the reconciler learnt):
 * the facts it fills in, and whether it decides the outcome. With `wait` and
 * `break_off` the patch records the call's end without an outcome.
 */
export function applyFinalStatus(
  attempt: AttemptView,
  event: CallEvent,
  dialogue: DialoguePhase,
  arrival: 'final_status' | 'quiet',
): { patch: AttemptPatch; settlement: Settlement } {
  const facts = applyEventToAttempt(attempt, event);
  const settlement = settle(
    { outcome: attempt.outcome, dialogue, finalStatus: { status: event.status, answeredBy: event.answeredBy ?? attempt.answeredBy, errorCode: event.errorCode ?? null } },
    arrival,
  );
  const { outcome: _outcome, errorCode: _errorCode, ...rest } = facts;
  const patch: AttemptPatch = { ...rest };
  if (settlement.kind === 'carrier') {
    patch.outcome = settlement.outcome;
    if (settlement.errorCode && !attempt.errorCode) patch.errorCode = settlement.errorCode;
  }
  return { patch, settlement };
}

/** How the dialogue ended the conversation. */
export type DialogueEnding = 'completed' | 'refused' | 'opt_out' | 'callback' | 'break_off' | 'no_response';

/** The attempt's outcome and error code for a dialogue ending (`call_outcome` has no values for the retryable ones). */
export function attemptOutcomeOfDialogue(ending: DialogueEnding): { outcome: Outcome; errorCode: string | null } {
  switch (ending) {
    case 'completed':
      return { outcome: 'completed', errorCode: null };
    case 'refused':
      return { outcome: 'refused', errorCode: null };
    case 'opt_out':
      return { outcome: 'refused', errorCode: 'opt_out' };
    case 'callback':
      return { outcome: 'failed', errorCode: 'callback_requested' };
    case 'break_off':
      return { outcome: 'failed', errorCode: 'break_off' };
    case 'no_response':
      return { outcome: 'failed', errorCode: 'no_response' };
  }
}

export type ContactAfterDialogue =
  /** The contact is not on this attempt any more (it moved on): it is left alone. */
  | { readonly kind: 'none' }
  | { readonly kind: 'completed' }
  | { readonly kind: 'refused'; readonly optOut: boolean }
  /** Back to the retry pool (`pending`). */
  | { readonly kind: 'retry' }
  /** That was its last allowed attempt: not reached for good (closed, survey.not_reached). */
  | { readonly kind: 'not_reached' };

/** The contact after the dialogue ended its attempt `attemptNumber`. */
export function contactAfterDialogue(contact: ContactView, attemptNumber: number, ending: DialogueEnding, maxAttempts: number): ContactAfterDialogue {
  if (contact.state !== 'in_progress' || contact.attemptsCount !== attemptNumber) return { kind: 'none' };
  if (ending === 'completed') return { kind: 'completed' };
  if (ending === 'refused' || ending === 'opt_out') return { kind: 'refused', optOut: ending === 'opt_out' };
  const { outcome } = attemptOutcomeOfDialogue(ending);
  if (!RETRYABLE_OUTCOMES.includes(outcome)) throw new Error(`contactAfterDialogue: ${ending} is not retryable`);
  return contact.attemptsCount >= maxAttempts ? { kind: 'not_reached' } : { kind: 'retry' };
}
