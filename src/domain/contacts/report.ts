/**
 * The import report and the rule for when a campaign accepts contacts. Pure.
 */
import { DomainError } from '../errors.js';
import type { RowProblem } from './row.js';

/** One rejected field of one line, as reported: `line` is the 1-based physical line (header = 1). */
export interface ImportError extends RowProblem {
  readonly line: number;
}

/**
 * The report of one upload, exactly as the API and `--json` return it.
 * `accepted + rejected + duplicates = total_rows`; `excluded` counts the
 * accepted rows stored as `excluded`. `errors` is capped; `errors_total`
 * says how many there are, and the full list is downloadable.
 */
export interface ImportReport {
  readonly total_rows: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly excluded: number;
  readonly unknown_columns: readonly string[];
  readonly errors: readonly ImportError[];
  readonly errors_total: number;
  /** Id of the stored import (its full error list is downloadable by this id). */
  readonly import_id: string;
}

/** Errors included in a report; the rest are in the downloadable CSV. */
export const REPORT_ERROR_CAP = 100;

/** Campaign statuses that accept new contacts. */
export const IMPORTABLE_STATUSES = ['draft', 'scheduled', 'paused', 'running'] as const;

/** Throws `contacts.import_not_allowed` (conflict) unless the campaign accepts contacts. */
export function assertCampaignAcceptsContacts(status: string): void {
  if (!(IMPORTABLE_STATUSES as readonly string[]).includes(status)) {
    throw new DomainError(
      'contacts.import_not_allowed',
      `contacts cannot be added to a ${status} campaign (only draft, scheduled, paused or running)`,
      'conflict',
      { status },
    );
  }
}
