/**
 * Turning an outbox row into the message other systems receive, and the relay's
 * retry policy. Pure: no I/O.
 */
import type { OutgoingEvent, RelayMessage, RelayOutcome } from '../ports/event-relay.js';

export type EventType = RelayMessage['event_type'];

/** What the relay reads for one event (joined from events, call_attempts, contacts, survey_responses). */
export interface OutboxEventRow {
  readonly id: string;
  readonly event_type: EventType;
  readonly campaign_id: string;
  readonly contact_id: string;
  readonly created_at: Date;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly call_id: string | null;
  readonly attempt_number: number | null;
  readonly contact_attempts: number;
  readonly q1_answer: string | null;
  readonly q2_answer: string | null;
  readonly q3_answer: string | null;
}

export const outcomeOf = (type: EventType): RelayOutcome => type.slice('survey.'.length) as RelayOutcome;

/** `<call_id>:<event_type>`; the contact id stands in when no call was involved. */
export function dedupKeyOf(e: Pick<OutboxEventRow, 'call_id' | 'contact_id' | 'event_type'>): string {
  return `${e.call_id ?? `contact-${e.contact_id}`}:${e.event_type}`;
}

function attemptsOf(e: OutboxEventRow): number {
  const fromPayload = e.payload.attempts;
  if (typeof fromPayload === 'number' && Number.isInteger(fromPayload) && fromPayload >= 0) return fromPayload;
  return e.attempt_number ?? e.contact_attempts;
}

/**
 * Builds the wire message. Only the listed fields leave: the payload is not
 * copied wholesale, so a phone number or email written into it by mistake never
 * reaches a broker.
 */
export function buildRelayMessage(e: OutboxEventRow): OutgoingEvent {
  const message: RelayMessage = {
    event_id: e.id,
    event_type: e.event_type,
    campaign_id: e.campaign_id,
    contact_id: e.contact_id,
    call_id: e.call_id,
    timestamp: e.created_at.toISOString(),
    outcome: outcomeOf(e.event_type),
    attempts: attemptsOf(e),
    ...(e.event_type === 'survey.completed' ? { answers: { q1: e.q1_answer, q2: e.q2_answer, q3: e.q3_answer } } : {}),
  };
  return { message, dedupKey: dedupKeyOf(e) };
}

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/**
 * Delay before the next claim after `attempts` failed claims: base·2^(attempts−1),
 * capped, with up to 20 % jitter added so relays that failed together do not
 * retry in lockstep. `random` is injectable for tests.
 */
export function nextRetryDelayMs(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (1 + 0.2 * random()));
}
