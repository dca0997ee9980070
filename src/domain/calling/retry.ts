/**
 * Retry policy: when a contact may be dialled again.
 */

/** Earliest next attempt after an unsuccessful one (retry interval, callback request). */
export function nextAttemptAt(lastAttemptAt: Date, retryIntervalMinutes: number, retryNotBefore: Date | null): Date {
  const byInterval = lastAttemptAt.getTime() + retryIntervalMinutes * 60_000;
  return new Date(Math.max(byInterval, retryNotBefore?.getTime() ?? 0));
}

/**
 * Delay before re-dialling a contact whose placement failed transiently (429,
 * 5xx, network). Exponential in the number of consecutive transient failures,
 * capped, with ±20 % jitter from `random` so released contacts do not return
 * in one burst.
 */
export function transientRetryDelayMs(consecutiveFailures: number, random: () => number = Math.random, baseMs = 15_000, capMs = 15 * 60_000): number {
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, consecutiveFailures - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** Whether a contact has attempts left. */
export const hasAttemptsLeft = (attemptsCount: number, maxAttempts: number): boolean => attemptsCount < maxAttempts;
