/**
 * Row types of the tables created by 0009_reporting: export jobs and the
 * statistics roll-ups that triggers keep in step with call_attempts and
 * survey_responses.
 */
import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Timestamp } from './core.js';

export const EXPORT_JOB_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ExportJobStatus = (typeof EXPORT_JOB_STATUSES)[number];

export interface ExportJobOptions {
  delimiter?: string;
  bom?: boolean;
}

export interface ExportJobsTable {
  id: Generated<string>;
  campaign_id: string;
  requested_by_user_id: string | null;
  status: Generated<ExportJobStatus>;
  options: ColumnType<ExportJobOptions, ExportJobOptions | string | undefined, ExportJobOptions | string>;
  row_count: number | null;
  blob_key: string | null;
  byte_size: number | null;
  error_message: string | null;
  attempts: Generated<number>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  expires_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface ReportingCallHourlyTable {
  campaign_id: string;
  /** Start of the UTC hour. */
  hour: Timestamp;
  attempts: Generated<number>;
  answers: Generated<number>;
  completions: Generated<number>;
}

export interface ReportingCallDurationsTable {
  campaign_id: string;
  /** Talk time in whole seconds (capped at 7200). */
  seconds: number;
  calls: Generated<number>;
}

export interface ReportingAnswerCountsTable {
  campaign_id: string;
  question: number;
  /** Lower-cased, trimmed, first 200 characters. */
  answer: string;
  responses: Generated<number>;
}

export interface ReportingContactCountsTable {
  campaign_id: string;
  state: string;
  /** '' = no outcome yet. */
  last_outcome: string;
  attempts_count: number;
  contacts: number;
}

export interface ReportingContactDeltasTable {
  seq: Generated<number>;
  campaign_id: string;
  state: string;
  last_outcome: string;
  attempts_count: number;
  delta: number;
}

/** 0012: one row per (contact, funnel step) the contact has reached. */
export interface ReportingFunnelMarksTable {
  contact_id: string;
  /** person | consent | q1 | q2 | q3 */
  step: string;
  campaign_id: string;
}

export interface ReportingFunnelCountsTable {
  campaign_id: string;
  step: string;
  contacts: number;
}

export interface ReportingFunnelDeltasTable {
  seq: Generated<number>;
  campaign_id: string;
  step: string;
  delta: number;
}

/** 0012: consented contacts per contact group (AAPOR partials). */
export interface ReportingConsentedCountsTable {
  campaign_id: string;
  state: string;
  last_outcome: string;
  attempts_count: number;
  contacts: number;
}

export interface ReportingConsentedDeltasTable {
  seq: Generated<number>;
  campaign_id: string;
  state: string;
  last_outcome: string;
  attempts_count: number;
  delta: number;
}

/** 0012: dialogue turns per latency bucket (upper bound in ms, reporting_latency_bucket). */
export interface ReportingTurnLatencyTable {
  campaign_id: string;
  upper_ms: number;
  turns: number;
}

export interface ReportingTurnLatencyDeltasTable {
  seq: Generated<number>;
  campaign_id: string;
  upper_ms: number;
  delta: number;
}

export interface ReportingTables {
  reporting_contact_counts: ReportingContactCountsTable;
  reporting_contact_deltas: ReportingContactDeltasTable;
  reporting_funnel_marks: ReportingFunnelMarksTable;
  reporting_funnel_counts: ReportingFunnelCountsTable;
  reporting_funnel_deltas: ReportingFunnelDeltasTable;
  reporting_consented_counts: ReportingConsentedCountsTable;
  reporting_consented_deltas: ReportingConsentedDeltasTable;
  reporting_turn_latency: ReportingTurnLatencyTable;
  reporting_turn_latency_deltas: ReportingTurnLatencyDeltasTable;
  export_jobs: ExportJobsTable;
  reporting_call_hourly: ReportingCallHourlyTable;
  reporting_call_durations: ReportingCallDurationsTable;
  reporting_answer_counts: ReportingAnswerCountsTable;
}
