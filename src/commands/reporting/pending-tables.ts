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
 *
 * Statistics never scan the dialogue tables: the funnel, the consented groups
 * and the turn latency come from roll-ups that 0012's triggers keep
 * (`dialogueRollups`); only call detail reads one call's rows.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema/index.js';
import { percentileOfCounts } from '../../domain/reporting/distributions.js';
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

/** Contacts that consented but did not complete, grouped like the contact totals (AAPOR partials). */
export interface ConsentedGroup {
  state: string;
  last_outcome: string | null;
  attempts_count: number;
  consented: number;
}

/** Funnel steps only the dialogue data knows; null = not available (approximate instead). */
export interface DialogueFunnel {
  answeredByPerson: number;
  consented: number;
  q1: number;
  q2: number;
  q3: number;
}

/** What the dialogue-era roll-ups of migration 0012 hold for one campaign. */
export interface DialogueRollups {
  funnel: DialogueFunnel;
  /** Consented contacts not in state completed, by (state, last outcome, attempts). */
  consentedNotCompleted: ConsentedGroup[];
  /** Turns with a processing time per latency bucket (upper bound, ms), ascending. */
  latency: { upperMs: number; turns: number }[];
}

/**
 * The funnel, the consented groups and the turn-latency histogram in one
 * round trip (one snapshot): the compacted counts plus the pending deltas
 * that 0012's triggers append — a few dozen rows, whatever the campaign's
 * size. Steps are distinct contacts: `person` = an attempt answered and not
 * by a machine or fax (`reporting_is_person`), `consent` = a consent record,
 * `qN` = a dialogue turn in stage qN (the person was asked question N).
 * Returns null while the dialogue tables are absent.
 */
export async function dialogueRollups(db: Kysely<DB>, campaignId: string, known: Presence = {}): Promise<DialogueRollups | null> {
  if (!(await has(db, known.dialogueTurns, PENDING_TABLES.dialogueTurns)) || !(await has(db, known.consentRecords, PENDING_TABLES.consentRecords))) return null;
  const r = await sql<{ funnel: Record<string, number | string>; consented: [string, string, number, number | string][]; latency: [number | string, number | string][] }>`
    select
      (select coalesce(json_object_agg(step, n), '{}'::json) from (
         select step, sum(n)::bigint as n from (
           select step, contacts as n from reporting_funnel_counts where campaign_id = ${campaignId}
           union all
           select step, delta from reporting_funnel_deltas where campaign_id = ${campaignId}
         ) x group by step having sum(n) <> 0) f) as funnel,
      (select coalesce(json_agg(json_build_array(state, last_outcome, attempts_count, n)), '[]'::json) from (
         select state::text as state, last_outcome, attempts_count, sum(n)::bigint as n from (
           select state, last_outcome, attempts_count, contacts as n from reporting_consented_counts where campaign_id = ${campaignId}
           union all
           select state, last_outcome, attempts_count, delta from reporting_consented_deltas where campaign_id = ${campaignId}
         ) x where state <> 'completed' group by 1, 2, 3 having sum(n) <> 0) c) as consented,
      (select coalesce(json_agg(json_build_array(upper_ms, n) order by upper_ms), '[]'::json) from (
         select upper_ms, sum(n)::bigint as n from (
           select upper_ms, turns as n from reporting_turn_latency where campaign_id = ${campaignId}
           union all
           select upper_ms, delta from reporting_turn_latency_deltas where campaign_id = ${campaignId}
         ) x group by upper_ms having sum(n) <> 0) l) as latency`.execute(db);
  const row = r.rows[0]!;
  const step = (k: string) => Number(row.funnel[k] ?? 0);
  return {
    funnel: { answeredByPerson: step('person'), consented: step('consent'), q1: step('q1'), q2: step('q2'), q3: step('q3') },
    consentedNotCompleted: row.consented.map(([state, lo, attempts, n]) => ({
      state, last_outcome: lo === '' ? null : lo, attempts_count: Number(attempts), consented: Number(n),
    })),
    latency: row.latency.map(([upper, n]) => ({ upperMs: Number(upper), turns: Number(n) })),
  };
}

/** P95 (nearest rank) of a latency histogram, and its number of turns; null when empty. */
export function latencyP95(latency: DialogueRollups['latency']): { p95Ms: number; turns: number } | null {
  const counts = latency.map((b) => ({ value: b.upperMs, count: b.turns }));
  const p95 = percentileOfCounts(counts, 0.95);
  return p95 === null ? null : { p95Ms: p95, turns: counts.reduce((s, c) => s + Math.max(c.count, 0), 0) };
}

/**
 * P95 of our own per-turn processing time (ms) over all of the campaign's
 * turns, read off the latency histogram (bucket upper bounds: 0.1 ms steps up
 * to 100 ms, 3 significant digits above); null when there is no turn.
 */
export async function turnLatencyP95(db: Kysely<DB>, campaignId: string, known: Presence = {}): Promise<{ p95Ms: number; turns: number } | null> {
  const r = await dialogueRollups(db, campaignId, known);
  return r ? latencyP95(r.latency) : null;
}

/**
 * Consented contacts not completed, by contact group; [] while the dialogue
 * tables are absent (partials P are then 0).
 */
export async function consentedNotCompleted(db: Kysely<DB>, campaignId: string, known: Presence = {}): Promise<ConsentedGroup[]> {
  return (await dialogueRollups(db, campaignId, known))?.consentedNotCompleted ?? [];
}

/** Distinct contacts per funnel step; null while the dialogue tables are absent. */
export async function dialogueFunnel(db: Kysely<DB>, campaignId: string, known: Presence = {}): Promise<DialogueFunnel | null> {
  return (await dialogueRollups(db, campaignId, known))?.funnel ?? null;
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
