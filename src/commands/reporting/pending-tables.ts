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
 * Names are taken from the `scheduler` (0006_calling) and `dialogue`
 * (0007_dialogue) branches as of 04:40 UTC; re-check them at merge.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema/index.js';
import { scrubText } from '../../observability/redact.js';

/** Tables of migration 0007 (dialogue branch). */
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
 * MERGE (0007): dialogue_turns(call_attempt_id, processing_ms numeric, created_at).
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
 * MERGE (0007): consent_records(contact_id, campaign_id, …) holds one row per
 * call where the person said yes (no row = no consent). Returns [] until the
 * table exists (unfinished interviews then count by their contact
 * disposition; partials P are 0).
 */
export async function consentedNotCompleted(db: Kysely<DB>, campaignId: string, known: Presence = {}): Promise<ConsentedGroup[]> {
  if (!(await has(db, known.consentRecords, PENDING_TABLES.consentRecords))) return [];
  const r = await sql<ConsentedGroup>`
    select c.state::text as state, c.last_outcome::text as last_outcome, c.attempts_count::int as attempts_count,
           count(distinct c.id)::int as consented
    from consent_records cr
    join contacts c on c.id = cr.contact_id
    where cr.campaign_id = ${campaignId} and c.state <> 'completed'
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
 * MERGE (0006 + 0007): call_attempts.answered_by (Twilio AMD values: human,
 * machine_start, machine_end_beep, fax, unknown), consent_records(campaign_id,
 * contact_id), dialogue_turns(call_attempt_id, stage) where a turn in stage
 * q1/q2/q3 means the person reached that question. Distinct contacts per step.
 */
export async function dialogueFunnel(db: Kysely<DB>, campaignId: string, known: Presence = {}): Promise<DialogueFunnel | null> {
  if (!(await has(db, known.dialogueTurns, PENDING_TABLES.dialogueTurns)) || !(await has(db, known.consentRecords, PENDING_TABLES.consentRecords))) return null;
  const r = await sql<DialogueFunnel>`
    select
      (select count(distinct ca.contact_id) from call_attempts ca
        where ca.campaign_id = ${campaignId} and ca.answered_at is not null
          and coalesce(ca.answered_by, 'human') not in ('machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax'))::int as "answeredByPerson",
      (select count(distinct cr.contact_id) from consent_records cr where cr.campaign_id = ${campaignId})::int as consented,
      count(distinct ca.contact_id) filter (where dt.stage = 'q1')::int as q1,
      count(distinct ca.contact_id) filter (where dt.stage = 'q2')::int as q2,
      count(distinct ca.contact_id) filter (where dt.stage = 'q3')::int as q3
    from call_attempts ca join dialogue_turns dt on dt.call_attempt_id = ca.id
    where ca.campaign_id = ${campaignId} and dt.stage in ('q1', 'q2', 'q3')`.execute(db);
  return r.rows[0] ?? null;
}

/** One dialogue turn as call detail shows it. */
export interface CallTurn {
  at: Date | null;
  /** Dialogue stage the respondent answered in: intro, consent, q1, q2, q3. */
  step: string | null;
  /** What the agent said. */
  prompt: string | null;
  /** What the respondent said (personal data scrubbed). */
  text: string | null;
  /** Speech recogniser's confidence in `text` (0–1), when the provider reported one. */
  asrConfidence: number | null;
  /** How `text` was understood: intent, value (a number, or scrubbed text) and confidence 0–1. */
  interpretation: TurnInterpretation | null;
  /** Which interpreter understood it (`rules`, `llm`, …). */
  interpreter: string | null;
  processingMs: number | null;
}

export interface TurnInterpretation {
  intent: string;
  value: number | string | null;
  confidence: number | null;
}

function readInterpretation(raw: unknown): TurnInterpretation | null {
  const v = (typeof raw === 'string' ? safeJson(raw) : raw) as Record<string, unknown> | null | undefined;
  if (!v || typeof v !== 'object' || typeof v.intent !== 'string') return null;
  const value = typeof v.value === 'number' ? v.value : typeof v.value === 'string' ? scrubText(v.value) : null;
  const confidence = typeof v.confidence === 'number' ? v.confidence : null;
  return { intent: v.intent, value, confidence };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/**
 * MERGE (0007): dialogue_turns(call_attempt_id, sequence, stage, prompt,
 * heard_text — already scrubbed of personal data when stored —, processing_ms).
 */
export async function callTurns(db: Kysely<DB>, callAttemptId: string): Promise<CallTurn[]> {
  if (!(await tableExists(db, PENDING_TABLES.dialogueTurns))) return [];
  const r = await sql<Record<string, unknown>>`
    select * from dialogue_turns where call_attempt_id = ${callAttemptId} order by sequence, created_at`.execute(db);
  return r.rows.map((t) => ({
    at: (t.created_at as Date | undefined) ?? null,
    step: (t.stage as string | undefined) ?? null,
    prompt: (t.prompt as string | undefined) ?? null,
    text: (t.heard_text as string | null | undefined) ?? null,
    asrConfidence: t.asr_confidence == null ? null : Number(t.asr_confidence),
    interpretation: readInterpretation(t.interpretation),
    interpreter: (t.interpreter as string | null | undefined) ?? null,
    processingMs: t.processing_ms == null ? null : Number(t.processing_ms),
  }));
}

export interface ConsentRecord {
  granted: boolean;
  at: Date | null;
  /** How consent was given: 'verbal' (in the call). */
  method: string | null;
  /** Hash of the consent wording the person heard, and the wording itself. */
  scriptVersion: string | null;
  wording: string | null;
}

/** MERGE (0007): consent_records(call_attempt_id unique, consented_at, language, script_version, wording). */
export async function callConsent(db: Kysely<DB>, callAttemptId: string): Promise<ConsentRecord | null> {
  if (!(await tableExists(db, PENDING_TABLES.consentRecords))) return null;
  const r = await sql<Record<string, unknown>>`
    select * from consent_records where call_attempt_id = ${callAttemptId} limit 1`.execute(db);
  const c = r.rows[0];
  if (!c) return null;
  return {
    granted: true,
    at: (c.consented_at as Date | undefined) ?? null,
    method: 'verbal',
    scriptVersion: (c.script_version as string | undefined) ?? null,
    wording: (c.wording as string | undefined) ?? null,
  };
}

/** Columns of call_attempts that 0006 adds, read defensively from a `select *` row. */
export interface AttemptExtras {
  answeredBy: string | null;
  durationSeconds: number | null;
  recordingUrl: string | null;
}

/**
 * MERGE (0006): call_attempts.answered_by and duration_seconds (provider-reported)
 * exist on the scheduler branch; a recording url is not stored yet (read from
 * a `recording_url` column or metadata.recording_url when one appears).
 * Duration falls back to ended_at − answered_at.
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
