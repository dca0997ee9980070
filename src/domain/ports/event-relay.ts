/**
 * The event-relay port: how outbox events leave the system for other systems
 * (a message broker). The `events` table is the source of truth; a relay only
 * forwards. Delivery is at-least-once: consumers deduplicate on `event_id`.
 * Adapters: `none` (events stay in the database), AMQP (RabbitMQ), SQS.
 */

/** Outcome carried by an event, named as the event type names it. */
export type RelayOutcome = 'completed' | 'refused' | 'not_reached';

/** The respondent's answers, as stored (normalized text), for completed surveys only. */
export interface RelayAnswers {
  readonly q1: string | null;
  readonly q2: string | null;
  readonly q3: string | null;
}

/**
 * One message on the wire, serialized as JSON. It never carries a phone number
 * or an email address.
 */
export interface RelayMessage {
  /** The `events` row id; consumers deduplicate on it. */
  readonly event_id: string;
  readonly event_type: 'survey.completed' | 'survey.refused' | 'survey.not_reached';
  readonly campaign_id: string;
  readonly contact_id: string;
  /** Our call id of the attempt that produced the outcome; null when no call was involved. */
  readonly call_id: string | null;
  /** When the outcome was recorded (ISO 8601, UTC). */
  readonly timestamp: string;
  readonly outcome: RelayOutcome;
  /** Call attempts made for the contact up to this outcome. */
  readonly attempts: number;
  /** Present only on `survey.completed`. */
  readonly answers?: RelayAnswers;
}

/** A message plus what the relay needs to route and deduplicate it (not serialized). */
export interface OutgoingEvent {
  readonly message: RelayMessage;
  /**
   * Deterministic deduplication key, `<call_id>:<event_type>` (the contact id
   * stands in when there was no call). Sent where the broker supports one
   * (SQS FIFO `MessageDeduplicationId`, AMQP header `x-deduplication-key`).
   */
  readonly dedupKey: string;
}

/** What happened to each message of a batch. */
export interface PublishResult {
  /** Event ids the broker confirmed (safe to mark published). */
  readonly published: readonly string[];
  /** Event ids the broker refused or did not confirm, with the reason. */
  readonly failed: readonly { readonly eventId: string; readonly error: string }[];
}

export interface EventRelay {
  /** Adapter name for logs and metrics (`none`, `amqp`, `sqs`). */
  readonly name: string;
  /**
   * Publishes a batch, in the given order, and resolves once the broker has
   * confirmed (or refused) every message. Resolving with an id in `published`
   * means the broker took responsibility for it. Throws when nothing could be
   * published (broker unreachable); the caller then treats the whole batch as
   * failed and backs off.
   */
  publish(messages: readonly OutgoingEvent[]): Promise<PublishResult>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
