/**
 * Everything reporting reads from tables that other branches add:
 *   - migration 0006 (calling): `call_events`, the `voicemail` outcome, attempt
 *     columns such as `answered_by` and `duration_seconds`, recording url;
 *   - migration 0007 (dialogue): `dialogue_turns` (per-turn `processing_ms`)
 *     and consent records.
 *
 * MERGE: each function below is the single place to complete once those
 * migrations are on main. Until then every one of them degrades gracefully:
 * it checks that the table exists (`to_regclass`) and returns null / [] when
 * it does not, so statistics and call detail work on 0001 + 0002 alone.
 * Table and column names marked GUESS must be checked against 0006 / 0007.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema/index.js';

/** GUESS: table names of migration 0007. */
export const PENDING_TABLES = {
  dialogueTurns: 'dialogue_turns',
  consentRecords: 'consent_records',
} as const;

export async function tableExists(db: Kysely<DB>, name: string): Promise<boolean> {
  const r = await sql<{ present: boolean }>`select to_regclass(${`public.${name}`}) is not null as present`.execute(db);
  return r.rows[0]?.present === true;
}

/** Which pending tables exist, as select expressions (so callers fold the check into a query they make anyway). */
export const pendingTablesPresence = {
  dialogueTurns: sql<boolean>`to_regclass(${`public.${PENDING_TABLES.dialogueTurns}`}) is not null`,
  consentRecords: sql<boolean>`to_regclass(${`public.${PENDING_TABLES.consentRecords}`}) is not null`,
};

/** Known presence of the pending tables; `undefined` fields are looked up. */
export interface Presence {
  dialogueTurns?: boolean;
  consentRecords?: boolean;
}

const has = async (db: Kysely<DB>, known: boolean | undefined, name: string) => known ?? (await tableExists(db, name));

/**
 * P95 of our own per-turn processing time (ms) over the campaign's most recent
 * 20,000 turns; null when there is no dialogue data.
 * MERGE (0007): GUESS columns dialogue_turns(call_attempt_id, processing_ms, created_at).
 * For million-turn campaigns a roll-up like reporting_call_durations (trigger
 * on insert into dialogue_turns) is the next step.
 */
export async function turnLatencyP95(db: Kysely<DB>, campaignId: string, known: Presence = {}): Promise<{ p95Ms: number; turns: number } | null> {
  if (!(await has(db, known.dialogueTurns, PENDING_TABLES.dialogueTurns))) return null;
  const r = await sql<{ p95: number | null; turns: number }>`
    select percentile_disc(0.95) within group (order by t.processing_ms) as p95, count(*)::int as turns
    from (
      select dt.processing_ms from dialogue_turns dt
      join call_attempts ca on ca.id = dt.call_attempt_id
      where ca.campaign_id = ${campaignId} and dt.processing_ms is not null
      order by dt.created_at desc limit 20000
    ) t`.execute(db);
  const row = r.rows[0];
  return row && row.p95 !== null ? { p95Ms: Number(row.p95), turns: row.turns } : null;
}

/** Contacts that consented but did not complete, grouped like the contact totals (AAPOR partials). */
export interface ConsentedGroup {
  state: string;
  last_outcome: string | null;
  attempts_count: number;
  consented: number;
}

/**
 * MERGE (0007): GUESS consent_records(call_attempt_id, granted boolean).
 * Returns [] until the table exists (every unfinished interview then counts
 * by its contact disposition; partials P are 0).
 */
export async function consentedNotCompleted(db: Kysely<DB>, campaignId: string, known: Presence = {}): Promise<ConsentedGroup[]> {
  if (!(await has(db, known.consentRecords, PENDING_TABLES.consentRecords))) return [];
  const r = await sql<ConsentedGroup>`
    select c.state::text as state, c.last_outcome::text as last_outcome, c.attempts_count::int as attempts_count,
           count(*)::int as consented
    from contacts c
    where c.campaign_id = ${campaignId} and c.state <> 'completed'
      and exists (select 1 from consent_records cr join call_attempts ca on ca.id = cr.call_attempt_id
                  where ca.contact_id = c.id and cr.granted)
    group by 1, 2, 3`.execute(db);
  return r.rows;
}

/** Funnel steps only the dialogue data knows; null = not available (approximate instead). */
export interface DialogueFunnel {
  answeredByPerson: number;
  consented: number;
  q1: number;
  q2: number;
  q3: number;
}

/**
 * MERGE (0006 + 0007): GUESS call_attempts.answered_by ('human' | 'machine' | …),
 * consent_records(call_attempt_id, granted), dialogue_turns(call_attempt_id, step)
 * with steps 'q1' | 'q2' | 'q3' answered. Distinct contacts per step.
 */
export async function dialogueFunnel(db: Kysely<DB>, campaignId: string, known: Presence = {}): Promise<DialogueFunnel | null> {
  if (!(await has(db, known.dialogueTurns, PENDING_TABLES.dialogueTurns)) || !(await has(db, known.consentRecords, PENDING_TABLES.consentRecords))) return null;
  const r = await sql<DialogueFunnel>`
    select
      count(distinct ca.contact_id) filter (where ca.answered_at is not null and ca.answered_by is distinct from 'machine')::int as "answeredByPerson",
      count(distinct ca.contact_id) filter (where exists (select 1 from consent_records cr where cr.call_attempt_id = ca.id and cr.granted))::int as consented,
      count(distinct ca.contact_id) filter (where exists (select 1 from dialogue_turns dt where dt.call_attempt_id = ca.id and dt.step = 'q1'))::int as q1,
      count(distinct ca.contact_id) filter (where exists (select 1 from dialogue_turns dt where dt.call_attempt_id = ca.id and dt.step = 'q2'))::int as q2,
      count(distinct ca.contact_id) filter (where exists (select 1 from dialogue_turns dt where dt.call_attempt_id = ca.id and dt.step = 'q3'))::int as q3
    from call_attempts ca where ca.campaign_id = ${campaignId}`.execute(db);
  return r.rows[0] ?? null;
}

/** One dialogue turn as call detail shows it. */
export interface CallTurn {
  at: Date | null;
  step: string | null;
  speaker: string | null;
  /** Redacted text. */
  text: string | null;
  processingMs: number | null;
}

/** MERGE (0007): GUESS dialogue_turns(call_attempt_id, created_at, step, speaker?, text_redacted?, processing_ms). */
export async function callTurns(db: Kysely<DB>, callAttemptId: string): Promise<CallTurn[]> {
  if (!(await tableExists(db, PENDING_TABLES.dialogueTurns))) return [];
  const r = await sql<Record<string, unknown>>`
    select * from dialogue_turns where call_attempt_id = ${callAttemptId} order by created_at`.execute(db);
  return r.rows.map((t) => ({
    at: (t.created_at as Date | undefined) ?? null,
    step: (t.step as string | undefined) ?? null,
    speaker: (t.speaker as string | undefined) ?? null,
    text: (t.text_redacted ?? t.transcript_redacted ?? null) as string | null,
    processingMs: t.processing_ms == null ? null : Number(t.processing_ms),
  }));
}

export interface ConsentRecord {
  granted: boolean;
  at: Date | null;
  /** How consent was given: 'verbal', 'prior', … */
  method: string | null;
}

/** MERGE (0007): GUESS consent_records(call_attempt_id, granted, created_at, method?). */
export async function callConsent(db: Kysely<DB>, callAttemptId: string): Promise<ConsentRecord | null> {
  if (!(await tableExists(db, PENDING_TABLES.consentRecords))) return null;
  const r = await sql<Record<string, unknown>>`
    select * from consent_records where call_attempt_id = ${callAttemptId} order by created_at desc limit 1`.execute(db);
  const c = r.rows[0];
  if (!c) return null;
  return { granted: c.granted === true, at: (c.created_at as Date | undefined) ?? null, method: (c.method as string | undefined) ?? null };
}

/** Columns of call_attempts that 0006 adds, read defensively from a `select *` row. */
export interface AttemptExtras {
  answeredBy: string | null;
  durationSeconds: number | null;
  recordingUrl: string | null;
}

/**
 * MERGE (0006): GUESS call_attempts.answered_by, duration_seconds (provider-reported),
 * recording_url (else metadata.recording_url). Falls back to ended_at − answered_at.
 */
export function attemptExtras(row: Record<string, unknown>): AttemptExtras {
  const metadata = (row.metadata ?? {}) as Record<string, unknown>;
  const answered = row.answered_at instanceof Date ? row.answered_at : null;
  const ended = row.ended_at instanceof Date ? row.ended_at : null;
  const reported = row.duration_seconds ?? row.duration;
  const durationSeconds = reported != null ? Number(reported)
    : answered && ended ? Math.max(0, Math.round((ended.getTime() - answered.getTime()) / 1000)) : null;
  const answeredBy = (row.answered_by ?? metadata.answered_by ?? null) as string | null;
  const recordingUrl = (row.recording_url ?? metadata.recording_url ?? null) as string | null;
  return { answeredBy, durationSeconds, recordingUrl };
}
