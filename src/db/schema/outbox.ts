/**
 * Columns added by 0008_outbox_email to tables of the seed model: relay state on
 * `events` (the outbox), sending state on `email_notifications`, translation
 * groups of `email_templates`, and the campaign's answer-quoting switch.
 * `index.ts` joins them onto the core row types.
 */
import type { Generated } from 'kysely';
import type { GeneratedTimestamp, Language, Timestamp } from './core.js';

export interface EventsOutboxColumns {
  /** Set when a broker confirmed the message; NULL while still to publish. */
  published_at: Timestamp | null;
  /** Claims so far, counted at claim time. */
  publish_attempts: Generated<number>;
  last_error: string | null;
  /** Earliest next claim: backoff after a failure, or lease expiry while claimed. */
  next_attempt_at: GeneratedTimestamp;
  /** Relay holding the current claim. */
  locked_by: string | null;
  /** Set once email notifications were derived from the event. */
  notified_at: Timestamp | null;
}

export interface EmailNotificationsOutboxColumns {
  attempts: Generated<number>;
  next_attempt_at: GeneratedTimestamp;
  locked_by: string | null;
  locked_until: Timestamp | null;
  /** Language the email is written in. */
  locale: Language | null;
  /** Language the contact (or, for `auto`, the campaign) asked for. */
  requested_locale: Language | null;
  /** Why `locale` differs from `requested_locale`, when it does. */
  locale_note: string | null;
  sent_at: Timestamp | null;
  /** Our Message-ID header (angle brackets included), stable across retries. */
  message_id: string | null;
  last_attempt_at: Timestamp | null;
}

export interface EmailTemplatesOutboxColumns {
  /** Templates sharing a key are one message in several locales. */
  translation_key: string | null;
}

export interface CampaignsOutboxColumns {
  /** Whether follow-up emails may quote the respondent's answers (q1_answer…). */
  email_include_answers: Generated<boolean>;
}
