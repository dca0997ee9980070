/**
 * Classification of database errors, shared by every loop and command.
 * SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
 */

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The database cannot be reached or refused us: nothing was done. */
export function isConnectionError(err: unknown): boolean {
  const code = codeOf(err);
  if (code === undefined) {
    // AggregateError from node's happy-eyeballs connect carries per-address errors.
    const inner = (err as { errors?: unknown[] } | null)?.errors;
    return Array.isArray(inner) && inner.some(isConnectionError);
  }
  return (
    NETWORK_CODES.has(code) ||
    code.startsWith('08') || // connection exception
    code === '28P01' || code === '28000' || // authentication
    code === '3D000' || // database does not exist
    code === '57P03' // cannot connect now (starting up)
  );
}

/**
 * Errors after which the same transaction may simply be tried again:
 * serialization failure, deadlock, admin/crash shutdown, connection loss.
 */
export function isRetryableError(err: unknown): boolean {
  const code = codeOf(err);
  if (code === undefined) return false;
  return (
    code === '40001' || code === '40P01' || code === '57P01' || code === '57P02' || code === '57P03' ||
    code.startsWith('08') || NETWORK_CODES.has(code)
  );
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (codeOf(err) !== '23505') return false;
  return constraint === undefined || (err as { constraint?: string }).constraint === constraint;
}

/** Full jitter exponential backoff: a random delay in [0, min(cap, base·2^attempt)). */
export function backoffDelay(attempt: number, baseMs = 50, capMs = 5_000): number {
  return Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** attempt));
}
