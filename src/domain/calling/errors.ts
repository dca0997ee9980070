/**
 * Classification of provider errors when placing a call.
 *
 * - permanent: the number itself cannot be called (invalid, unreachable, not
 *   allowed by geo permissions). The attempt fails and the contact is closed as
 *   not_reached with the error code; dialling again would fail the same way.
 * - transient: the provider or the path to it is overloaded or down (429, 5xx,
 *   network, concurrency/queue limits). The attempt is released, not counted,
 *   and the contact retried after a backoff.
 * - configuration: our side is wrong (authentication, caller id). Treated like
 *   transient for the contact (it is not the person's fault) but reported
 *   loudly so an operator fixes it.
 */
export type ProviderErrorClass = 'permanent' | 'transient' | 'configuration';

/** Twilio REST error codes (see TELEPHONY.md §1). */
const PERMANENT_CODES = new Set(['21211', '21214', '21215', '21217', '21612', '21614', '13224', '13227']);
const CONFIGURATION_CODES = new Set(['20003', '20404', '21210', '21212', '21606']);
const TRANSIENT_CODES = new Set(['20429', '10004', '22005', '20500', '20503', 'network', 'timeout']);

export function classifyProviderError(err: { code: string; permanent?: boolean; httpStatus?: number }): ProviderErrorClass {
  if (TRANSIENT_CODES.has(err.code)) return 'transient';
  if (PERMANENT_CODES.has(err.code)) return 'permanent';
  if (CONFIGURATION_CODES.has(err.code)) return 'configuration';
  if (err.httpStatus !== undefined && (err.httpStatus === 429 || err.httpStatus >= 500)) return 'transient';
  if (err.httpStatus === 401 || err.httpStatus === 403) return 'configuration';
  // The adapter's own judgement for codes we do not know.
  if (err.permanent === true) return 'permanent';
  return 'transient';
}
