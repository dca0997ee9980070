/**
 * How provider call events move an attempt and its contact. Pure: takes the
 * current rows as plain data and returns what to write.
 *
 * Monotonic by construction:
 * - an attempt with an outcome never changes outcome (terminal never regresses);
 *   later events only fill facts still missing (ended_at, duration);
 * - a non-terminal event older than (or equal to) the newest applied sequence
 *   number does not change the status;
 * - a terminal event applies whatever its sequence number: the provider sends
 *   exactly one final status per call, and it is definitive. On an attempt the
 *   dialogue already decided it still records that the carrier ended the call
 *   (call_status, and the carrier's end time when later than the dialogue's):
 *   until then the call holds its concurrency slot (countActiveAttempts).
 * - the contact moves only while `in_progress` on this very attempt.
 * Who decides the outcome of a final status is `settle()` (settlement.ts).
 */
import type { AnsweredBy, CallEvent, CallStatus } from '../ports/telephony.js';

export const CALL_OUTCOMES = ['completed', 'refused', 'no_answer', 'busy', 'failed', 'voicemail'] as const;
export type Outcome = (typeof CALL_OUTCOMES)[number];
/** Outcomes after which the contact may be dialled again while attempts remain. */
export const RETRYABLE_OUTCOMES: readonly Outcome[] = ['no_answer', 'busy', 'failed', 'voicemail'];

const TERMINAL_STATUSES: ReadonlySet<CallStatus> = new Set(['completed', 'busy', 'no_answer', 'failed', 'canceled']);
export const isTerminalStatus = (s: string): boolean => TERMINAL_STATUSES.has(s as CallStatus);

export interface AttemptView {
  readonly outcome: Outcome | null;
  readonly callStatus: string | null;
  readonly lastSequence: number | null;
  readonly answeredAt: Date | null;
  readonly endedAt: Date | null;
  readonly answeredBy: AnsweredBy | null;
  readonly durationSeconds: number | null;
  readonly errorCode: string | null;
}

export interface AttemptPatch {
  outcome?: Outcome;
  callStatus?: string;
  rawStatus?: string;
  lastSequence?: number;
  answeredAt?: Date;
  endedAt?: Date;
  answeredBy?: AnsweredBy;
  durationSeconds?: number;
  errorCode?: string;
}

/** Outcome of a terminal status for a call whose dialogue recorded nothing. */
export function outcomeOf(status: CallStatus, answeredBy: AnsweredBy | null | undefined): { outcome: Outcome; errorCode?: string } {
  switch (status) {
    case 'busy':
      return { outcome: 'busy' };
    case 'no_answer':
      return { outcome: 'no_answer' };
    case 'canceled':
      return { outcome: 'failed', errorCode: 'canceled' };
    case 'completed':
      if (answeredBy === 'machine' || answeredBy === 'fax') return { outcome: 'voicemail' };
      // Answered and hung up without the dialogue recording completed/refused:
      // the person broke off. Retryable like any unsuccessful attempt.
      return { outcome: 'failed', errorCode: 'break_off' };
    default:
      return { outcome: 'failed' };
  }
}

/** What an event changes on the attempt; an empty patch means nothing to write. */
export function applyEventToAttempt(attempt: AttemptView, event: CallEvent): AttemptPatch {
  const patch: AttemptPatch = {};
  const terminal = isTerminalStatus(event.status);
  const newer = attempt.lastSequence === null || event.sequence > attempt.lastSequence;
  if (event.answeredBy && !attempt.answeredBy) patch.answeredBy = event.answeredBy;
  if (event.status === 'answered' && !attempt.answeredAt) {
    patch.answeredAt = event.occurredAt;
  }
  const firstFinal = terminal && !(attempt.callStatus !== null && isTerminalStatus(attempt.callStatus));
  if (terminal) {
    if (!attempt.endedAt || (firstFinal && event.occurredAt > attempt.endedAt)) patch.endedAt = event.occurredAt;
    if (event.durationSeconds !== undefined && attempt.durationSeconds === null) patch.durationSeconds = event.durationSeconds;
  }
  if (attempt.outcome !== null) {
    // Terminal never regresses; the carrier's first final status is still recorded as such.
    if (firstFinal) {
      patch.callStatus = event.status;
      patch.rawStatus = event.rawStatus;
      if (newer) patch.lastSequence = event.sequence;
    }
    return patch;
  }
  if (terminal) {
    const { outcome, errorCode } = outcomeOf(event.status, event.answeredBy ?? attempt.answeredBy);
    patch.outcome = outcome;
    patch.callStatus = event.status;
    patch.rawStatus = event.rawStatus;
    if (attempt.lastSequence === null || event.sequence > attempt.lastSequence) patch.lastSequence = event.sequence;
    const code = event.errorCode ?? errorCode;
    if (code && !attempt.errorCode) patch.errorCode = code;
    return patch;
  }
  if (newer) {
    patch.callStatus = event.status;
    patch.rawStatus = event.rawStatus;
    patch.lastSequence = event.sequence;
  }
  return patch;
}

export interface ContactView {
  readonly state: string;
  readonly attemptsCount: number;
}

export type ContactChange =
  | { readonly kind: 'none' }
  /** Back to retryable, or closed for good with a survey.not_reached event. */
  | { readonly kind: 'not_reached'; readonly lastOutcome: Outcome; readonly final: boolean };

/**
 * The contact after its current attempt ended with `outcome`. Outcomes owned by
 * the dialogue (completed, refused) are written by the dialogue's own command.
 */
export function contactAfterOutcome(
  contact: ContactView,
  attemptNumber: number,
  outcome: Outcome,
  maxAttempts: number,
  opts: { forceFinal?: boolean } = {},
): ContactChange {
  if (contact.state !== 'in_progress' || contact.attemptsCount !== attemptNumber) return { kind: 'none' };
  if (!RETRYABLE_OUTCOMES.includes(outcome)) return { kind: 'none' };
  return { kind: 'not_reached', lastOutcome: outcome, final: opts.forceFinal === true || contact.attemptsCount >= maxAttempts };
}
