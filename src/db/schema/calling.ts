/**
 * Row types added by 0006_calling (call events; columns on call_attempts and
 * contacts are declared here and merged into the core tables in index.ts).
 */
import type { Generated } from 'kysely';
import type { GeneratedTimestamp, Timestamp } from './core.js';

export interface CallEventsTable {
  id: Generated<string>;
  call_attempt_id: string;
  provider_call_id: string;
  sequence_number: number;
  status: string;
  raw_status: string;
  occurred_at: Timestamp;
  answered_by: string | null;
  duration_seconds: number | null;
  error_code: string | null;
  received_at: GeneratedTimestamp;
}

/** Columns 0006 adds to call_attempts. */
export interface CallAttemptsCallingColumns {
  placed_at: Timestamp | null;
  call_status: string | null;
  last_sequence: number | null;
  answered_by: string | null;
  duration_seconds: number | null;
}

/** Columns 0006 adds to contacts. */
export interface ContactsCallingColumns {
  /** No further attempt will be made (final not_reached). */
  closed_at: Timestamp | null;
}

export interface CallingTables {
  call_events: CallEventsTable;
}
