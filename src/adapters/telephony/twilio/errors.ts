/**
 * Twilio REST failures → TelephonyError, permanent (the number itself is bad:
 * never retry that contact) or transient (rate limits, capacity, outages,
 * network: release the attempt and retry later).
 *
 * Unknown codes are treated as transient on purpose: a misconfiguration (bad
 * credentials, a rejected callback URL) must not mark every contact of a
 * campaign as unreachable for good; it surfaces as repeated transient errors
 * with the code in the logs instead.
 */
import { TelephonyError } from '../../../domain/ports/telephony.js';
import { scrubText } from '../../../observability/redact.js';

/** Codes that say "this destination cannot be called": retrying will not help. */
export const PERMANENT_CODES: ReadonlySet<number> = new Set([
  13223, // Dial: invalid phone number format
  13224, // Dial: invalid phone number
  13225, // Dial: forbidden phone number
  13227, // Dial: geo permission / no international authorization
  21210, // From is not a Twilio or verified number (configuration, but never succeeds as is)
  21211, // invalid To number
  21212, // invalid From number
  21214, // To number cannot be reached
  21215, // geo permission not enabled for this destination
  21216, // number blocked (blacklisted)
  21217, // number does not appear to be valid
  21401, // invalid phone number
  21610, // recipient unsubscribed
  21612, // cannot route to this number
  21614, // not a valid mobile/landline for this purpose
]);

/** Codes that say "not now": concurrency, queue, rate limits. */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  10004, // call concurrency limit exceeded
  20429, // too many concurrent REST requests
  22005, // outbound call queue full (more than 24 h queued)
  20003, // authentication failed: a configuration problem, not the contact's
  20500, // internal error
  20503, // service unavailable
]);

interface RestLike {
  status?: unknown;
  code?: unknown;
  message?: unknown;
}

function isRestLike(err: unknown): err is RestLike & Error {
  return err instanceof Error && typeof (err as RestLike).status === 'number';
}

/** Network-level failures from axios/node (no HTTP response at all). */
function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ECONNABORTED|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ERR_NETWORK|ERR_SOCKET.*|UND_ERR.*)$/.test(code)
  );
}

/** Maps anything thrown by twilio-node to a TelephonyError (other errors pass through unchanged). */
export function toTelephonyError(err: unknown): unknown {
  if (err instanceof TelephonyError) return err;
  if (isRestLike(err)) {
    const status = err.status as number;
    const code = typeof err.code === 'number' ? err.code : undefined;
    const text = typeof err.message === 'string' ? scrubText(err.message) : '';
    const label = `twilio ${code ?? 'error'} (HTTP ${status})${text ? `: ${text}` : ''}`;
    let permanent: boolean;
    if (code !== undefined && PERMANENT_CODES.has(code)) permanent = true;
    else if (code !== undefined && TRANSIENT_CODES.has(code)) permanent = false;
    else permanent = false; // 429, 5xx and anything unknown: retry later
    return new TelephonyError(label, permanent, code !== undefined ? String(code) : `http_${status}`, status);
  }
  if (isNetworkError(err)) {
    const code = (err as { code: string }).code;
    return new TelephonyError(`twilio unreachable (${code})`, false, 'network');
  }
  return err;
}
