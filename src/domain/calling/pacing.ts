/**
 * Calls-per-second pacing (pure; the caller passes clock readings).
 *
 * Not a bursty token bucket: starts are spaced at least 1/cps apart (plus a
 * small margin that absorbs network jitter between us and the provider), so
 * no sliding one-second window ever holds more than `cps` starts — which is
 * how carriers measure it (Twilio queues above the account's CPS).
 */
export class Pacer {
  readonly intervalMs: number;
  #next: number;

  /** Starts one interval after `nowMs`: a new leader never lands right after the previous one's last call. */
  constructor(readonly cps: number, nowMs: number, marginRatio = 0.02) {
    this.intervalMs = (1000 / cps) * (1 + marginRatio);
    this.#next = nowMs + this.intervalMs;
  }

  /** Start times for up to `max` calls between now and now + horizon (not yet reserved). */
  slots(max: number, nowMs: number, horizonMs: number): number[] {
    const out: number[] = [];
    let t = Math.max(this.#next, nowMs);
    while (out.length < max && t <= nowMs + horizonMs) {
      out.push(t);
      t += this.intervalMs;
    }
    return out;
  }

  /** Records the start times actually used (a prefix of slots()). */
  use(used: readonly number[]): void {
    if (used.length > 0) this.#next = Math.max(this.#next, used[used.length - 1]! + this.intervalMs);
  }

  /** Restarts spacing from `nowMs` (on gaining leadership). */
  reset(nowMs: number): void {
    this.#next = nowMs + this.intervalMs;
  }
}
