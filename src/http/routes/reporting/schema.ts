/**
 * Reporting request and response shapes (snake_case on the wire, like the
 * rest of the API). Response schemas list exactly the fields that leave the
 * server: no phone numbers, no emails.
 */
import { z } from 'zod';

const uuid = z.uuid('must be a UUID');
const rate = z.number().nullable();
const counts = z.record(z.string(), z.number());

export const IdParams = z.strictObject({ id: uuid });
export const CallParams = z.strictObject({ call_id: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters') });

const SeriesPoint = z.object({ start: z.string(), attempts: z.number(), answers: z.number(), completions: z.number() });

const Question = z.object({
  question: z.number(),
  type: z.string(),
  text: z.string(),
  responses: z.number(),
  distinct: z.number(),
  unparsed: z.number().optional(),
  histogram: z.array(z.object({ label: z.string(), from: z.number(), to: z.number(), count: z.number() })).optional(),
  top: z.array(z.object({ answer: z.string(), count: z.number() })).optional(),
});

export const CampaignStatsOut = z.object({
  campaign_id: z.string(),
  campaign_name: z.string(),
  status: z.string(),
  timezone: z.string(),
  generated_at: z.string(),
  contacts: z.object({ total: z.number(), by_state: counts, by_last_outcome: counts }),
  totals: z.object({
    attempted: z.number(), completed: z.number(), refused: z.number(), not_reached_final: z.number(), awaiting_retry: z.number(),
    excluded: z.number(), not_yet_called: z.number(), in_progress: z.number(), call_attempts: z.number(),
  }),
  rates: z.object({ completion: rate, refusal: rate, not_reached: rate }),
  aapor: z.object({
    counts: z.object({ I: z.number(), P: z.number(), R: z.number(), NC: z.number(), O: z.number(), U: z.number(), X: z.number() }),
    rates: z.object({ RR1: rate, RR2: rate, COOP1: rate, REF1: rate, CON1: rate }),
    partials_available: z.boolean(),
  }),
  series: z.object({ hourly: z.array(SeriesPoint), daily: z.array(SeriesPoint) }),
  call_duration: z.object({ answered_calls: z.number(), avg_seconds: rate, p95_seconds: rate }),
  turn_latency: z.object({ p95_ms: rate, turns: z.number(), available: z.boolean() }),
  questions: z.array(Question),
  funnel: z.object({
    dialled: z.number(), answered_by_person: z.number(), consented: z.number(), q1: z.number(), q2: z.number(), q3: z.number(),
    completed: z.number(), approximate: z.boolean(),
  }),
});

export const StatsOverviewOut = z.object({
  items: z.array(z.object({
    campaign_id: z.string(), name: z.string(), status: z.string(), contacts: z.number(), attempted: z.number(), completed: z.number(),
    refused: z.number(), not_reached: z.number(), excluded: z.number(), in_progress: z.number(), completion_rate: rate,
  })),
});

const ts = z.string().nullable();
const Attempt = z.object({
  attempt_id: z.string(), call_id: z.string(), attempt_number: z.number(), outcome: z.string().nullable(),
  started_at: ts, answered_at: ts, ended_at: ts, duration_seconds: z.number().nullable(), answered_by: z.string().nullable(),
  provider_call_id: z.string().nullable(), error_code: z.string().nullable(),
});

export const AttemptListOut = z.object({ items: z.array(Attempt) });

export const CallDetailOut = Attempt.extend({
  campaign_id: z.string(),
  contact_id: z.string(),
  external_contact_id: z.string().nullable(),
  provider_raw_status: z.string().nullable(),
  consent: z.object({ granted: z.boolean(), at: ts, method: z.string().nullable(), script_version: z.string().nullable(), wording: z.string().nullable() }).nullable(),
  turns: z.array(z.object({
    at: ts, step: z.string().nullable(), prompt: z.string().nullable(), text: z.string().nullable(),
    asr_confidence: z.number().nullable(),
    interpretation: z.object({ intent: z.string(), value: z.union([z.number(), z.string()]).nullable(), confidence: z.number().nullable() }).nullable(),
    interpreter: z.string().nullable(),
    processing_ms: z.number().nullable(),
  })),
  events: z.array(z.object({
    at: z.string(), status: z.string(), raw_status: z.string(), answered_by: z.string().nullable(), duration_seconds: z.number().nullable(), error_code: z.string().nullable(),
  })),
  transcript: z.array(z.object({ text: z.string(), language: z.string(), at: z.string() })),
  recording: z.object({ url: z.string(), available_until: z.string() }).nullable(),
});

const bomFlag = z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }).transform((v) => v === 'true' || v === '1');
const delimiter = z.enum([',', ';', 'tab', '|', 'comma', 'semicolon'], { message: 'must be one of , ; tab |' });

export const ExportQuery = z.strictObject({
  delimiter: delimiter.optional(),
  bom: bomFlag.optional(),
  /** Force a background job even for a small campaign. */
  async: bomFlag.optional(),
});

export const ExportJobInput = z.strictObject({
  delimiter: delimiter.optional(),
  bom: z.boolean().optional(),
});

export const ExportJobOut = z.object({
  id: z.string(),
  campaign_id: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  row_count: z.number().nullable(),
  byte_size: z.number().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  finished_at: ts,
  expires_at: ts,
  /** Signed, expiring link; present once the export is done and not expired. */
  download_url: z.string().nullable(),
  download_url_expires_at: ts,
});

export const DownloadQuery = z.strictObject({
  expires: z.string().max(20).optional(),
  signature: z.string().max(200).optional(),
});
