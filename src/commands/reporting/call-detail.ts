/**
 * Call detail (one attempt, everything known about it) and the list of a
 * contact's attempts. Reads only; the HTTP edge limits both to
 * campaign_manager and admin (they include the redacted transcript).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema/index.js';
import { notFound } from '../../domain/errors.js';
import { attemptExtras, callConsent, callTurns, type CallTurn, type ConsentRecord } from './pending-tables.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;
/** Used when no provider configuration exists (the schema default). */
const DEFAULT_RECORDING_RETENTION_DAYS = 180;

export interface AttemptSummary {
  readonly attemptId: string;
  readonly callId: string;
  readonly attemptNumber: number;
  readonly outcome: string | null;
  readonly startedAt: Date | null;
  readonly answeredAt: Date | null;
  readonly endedAt: Date | null;
  readonly durationSeconds: number | null;
  readonly answeredBy: string | null;
  readonly providerCallId: string | null;
  readonly errorCode: string | null;
}

export interface CallEvent {
  readonly at: Date;
  readonly status: string;
  readonly rawStatus: string;
  readonly answeredBy: string | null;
  readonly durationSeconds: number | null;
  readonly errorCode: string | null;
}

export interface CallDetail extends AttemptSummary {
  readonly campaignId: string;
  readonly contactId: string;
  readonly externalContactId: string | null;
  readonly providerRawStatus: string | null;
  readonly consent: ConsentRecord | null;
  readonly turns: readonly CallTurn[];
  /** The provider's status callbacks for this call (queued, ringing, in-progress, completed …), oldest first. */
  readonly events: readonly CallEvent[];
  /** Redacted transcript snippets, oldest first. */
  readonly transcript: readonly { readonly text: string; readonly language: string; readonly at: Date }[];
  /** Present when the call has a recording that is still within the retention period. */
  readonly recording: { readonly url: string; readonly availableUntil: Date } | null;
}

function summarize(row: Record<string, unknown> & {
  id: string; call_id: string; attempt_number: number; outcome: string | null; started_at: Date | null;
  answered_at: Date | null; ended_at: Date | null; provider_call_id: string | null; error_code: string | null;
}): AttemptSummary {
  const extras = attemptExtras(row);
  return {
    attemptId: row.id,
    callId: row.call_id,
    attemptNumber: row.attempt_number,
    outcome: row.outcome,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    durationSeconds: extras.durationSeconds,
    answeredBy: extras.answeredBy,
    providerCallId: row.provider_call_id,
    errorCode: row.error_code,
  };
}

/** One call by its call id (or attempt id); DomainError not_found when unknown. */
export async function getCallDetail(db: Kysely<DB>, callId: string, opts: { now?: Date } = {}): Promise<CallDetail> {
  const now = opts.now ?? new Date();
  // selectAll: columns that later migrations add (answered_by, …) are read by attemptExtras.
  let q = db.selectFrom('call_attempts').selectAll();
  q = UUID.test(callId) ? q.where((eb) => eb.or([eb('call_id', '=', callId), eb('id', '=', callId)])) : q.where('call_id', '=', callId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('call');

  const [contact, snippets, retention, turns, consent, events] = await Promise.all([
    db.selectFrom('contacts').select(['external_contact_id']).where('id', '=', row.contact_id).executeTakeFirst(),
    db.selectFrom('transcript_snippets').select(['transcript_text', 'language', 'created_at'])
      .where('call_attempt_id', '=', row.id).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('provider_configs').select((eb) => eb.fn.min('recording_retention_days').as('days')).executeTakeFirst(),
    callTurns(db, row.id),
    callConsent(db, row.id),
    db.selectFrom('call_events').select(['occurred_at', 'status', 'raw_status', 'answered_by', 'duration_seconds', 'error_code'])
      .where('call_attempt_id', '=', row.id).orderBy('occurred_at').orderBy('sequence_number').limit(200).execute(),
  ]);

  const extras = attemptExtras(row as unknown as Record<string, unknown>);
  let recording: CallDetail['recording'] = null;
  if (extras.recordingUrl) {
    const days = retention?.days ?? DEFAULT_RECORDING_RETENTION_DAYS;
    const from = row.ended_at ?? row.started_at ?? row.created_at;
    const availableUntil = new Date(from.getTime() + Number(days) * DAY_MS);
    if (availableUntil > now) recording = { url: extras.recordingUrl, availableUntil };
  }

  return {
    ...summarize(row as unknown as Parameters<typeof summarize>[0]),
    campaignId: row.campaign_id,
    contactId: row.contact_id,
    externalContactId: contact?.external_contact_id ?? null,
    providerRawStatus: row.provider_raw_status,
    consent,
    turns,
    events: events.map((e) => ({
      at: e.occurred_at, status: e.status, rawStatus: e.raw_status, answeredBy: e.answered_by, durationSeconds: e.duration_seconds, errorCode: e.error_code,
    })),
    transcript: snippets.map((s) => ({ text: s.transcript_text, language: s.language, at: s.created_at })),
    recording,
  };
}

/** Every attempt of one contact, in order; DomainError not_found for an unknown contact. */
export async function listContactAttempts(db: Kysely<DB>, contactId: string): Promise<AttemptSummary[]> {
  if (!UUID.test(contactId)) throw notFound('contact');
  const contact = await db.selectFrom('contacts').select('id').where('id', '=', contactId).executeTakeFirst();
  if (!contact) throw notFound('contact');
  const rows = await db.selectFrom('call_attempts').selectAll().where('contact_id', '=', contactId).orderBy('attempt_number').execute();
  return rows.map((r) => summarize(r as unknown as Parameters<typeof summarize>[0]));
}
