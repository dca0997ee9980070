/**
 * Calls-per-second pacing: a token bucket over explicit time (pure; the caller
 * passes the clock reading). Capacity equals the rate (at least one token), so
 * at most `rate` calls start in any one-second span after an idle period.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  readonly capacity: number;

  constructor(readonly ratePerSecond: number, nowMs: number, opts: { startFull?: boolean } = {}) {
    this.capacity = Math.max(1, ratePerSecond);
    // Starting empty: a new leader cannot add a burst on top of the previous leader's.
    this.#tokens = opts.startFull ? this.capacity : 0;
    this.#last = nowMs;
  }

  #refill(nowMs: number): void {
    if (nowMs > this.#last) {
      this.#tokens = Math.min(this.capacity, this.#tokens + ((nowMs - this.#last) / 1000) * this.ratePerSecond);
      this.#last = nowMs;
    }
  }

  /** Whole tokens available now. */
  available(nowMs: number): number {
    this.#refill(nowMs);
    return Math.floor(this.#tokens);
  }

  /** Takes up to `wanted` whole tokens; returns how many were granted. */
  take(wanted: number, nowMs: number): number {
    const n = Math.max(0, Math.min(wanted, this.available(nowMs)));
    this.#tokens -= n;
    return n;
  }

  /** Returns tokens that were taken but not used (fewer contacts were due). */
  refund(n: number): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + n);
  }

  /** Empties the bucket (on losing or gaining leadership). */
  reset(nowMs: number): void {
    this.#tokens = 0;
    this.#last = nowMs;
  }
}
