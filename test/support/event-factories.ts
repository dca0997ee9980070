/**
 * Factories for outcomes and their outbox events, as the calling and dialogue
 * code writes them: a call attempt, (for completed surveys) a response, the
 * contact's terminal state and the `events` row.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { CallAttemptsTable, DB, EventType } from '../../src/db/schema/index.js';
import { createContact } from './factories.js';

type EventRow = Selectable<DB['events']>;

export async function createCallAttempt(
  db: Kysely<DB>,
  contact: { id: string; campaign_id: string },
  overrides: Partial<Insertable<CallAttemptsTable>> = {},
): Promise<Selectable<CallAttemptsTable>> {
  return db
    .insertInto('call_attempts')
    .values({ contact_id: contact.id, campaign_id: contact.campaign_id, attempt_number: 1, started_at: new Date(), ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface OutcomeOptions {
  type?: EventType;
  contact?: { id: string; campaign_id: string };
  /** For a new contact. */
  email?: string | null;
  preferredLanguage?: 'en' | 'it' | 'auto';
  externalId?: string | null;
  answers?: [string | null, string | null, string | null];
  attempts?: number;
  /** Write no call attempt (event without call id). */
  noCall?: boolean;
  createdAt?: Date;
}

const outcomeOf = (t: EventType) => t.slice('survey.'.length) as 'completed' | 'refused' | 'not_reached';

/** An outcome and its outbox event, in one transaction like the real writers. */
export async function createOutcomeEvent(db: Kysely<DB>, campaignId: string, opts: OutcomeOptions = {}): Promise<EventRow> {
  const type = opts.type ?? 'survey.completed';
  return db.transaction().execute(async (trx) => {
    const contact = opts.contact ?? await createContact(trx, campaignId, {
      email: opts.email === undefined ? `person${Math.floor(Math.random() * 1e9)}@example.org` : opts.email,
      preferred_language: opts.preferredLanguage ?? 'auto',
      external_contact_id: opts.externalId ?? null,
    });
    const attempts = opts.attempts ?? 1;
    const callOutcome = type === 'survey.completed' ? 'completed' : type === 'survey.refused' ? 'refused' : 'no_answer';
    const attempt = opts.noCall ? null : await createCallAttempt(trx, contact, { attempt_number: attempts, outcome: callOutcome, ended_at: new Date() });
    if (type === 'survey.completed' && attempt) {
      const [q1, q2, q3] = opts.answers ?? ['8', '2', 'Shorter queues'];
      await trx.insertInto('survey_responses').values({
        contact_id: contact.id, campaign_id: campaignId, call_attempt_id: attempt.id,
        q1_answer: q1, q1_confidence: 0.9, q2_answer: q2, q2_confidence: 0.9, q3_answer: q3, q3_confidence: 0.8,
      }).execute();
    }
    await trx.updateTable('contacts').set({ state: outcomeOf(type), attempts_count: attempts, last_outcome: callOutcome }).where('id', '=', contact.id).execute();
    return trx.insertInto('events').values({
      event_type: type, campaign_id: campaignId, contact_id: contact.id, call_attempt_id: attempt?.id ?? null,
      payload: { attempts }, ...(opts.createdAt ? { created_at: opts.createdAt } : {}),
    }).returningAll().executeTakeFirstOrThrow();
  });
}
