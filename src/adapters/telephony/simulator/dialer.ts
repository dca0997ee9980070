/**
 * The carrier's admission control: calls above the calls-per-second rate wait
 * in a queue (their `queue_time` grows), and the number of live calls (queued
 * or in progress) is counted to enforce the concurrency limit and to report
 * what was observed.
 */

export interface DialerStats {
  /** Most calls live at once (from creation to their final status). */
  maxConcurrency: number;
  /** Most calls started (dialled out of the queue) within any one-second window. */
  maxCps: number;
  /** Calls currently live. */
  active: number;
  /** Calls waiting for a CPS slot. */
  queued: number;
}

export interface Dialer {
  readonly stats: DialerStats;
  /** Registers a live call (on create). */
  admit(): void;
  /** Marks a live call finished. */
  release(): void;
  /** Runs `start` when the CPS allows it; resolves with the time spent queued (ms). */
  schedule(start: () => void): number;
  /** Seconds of backlog the queue represents at the current rate. */
  backlogSeconds(): number;
  stop(): void;
}

export function createDialer(cps: number): Dialer {
  const stats: DialerStats = { maxConcurrency: 0, maxCps: 0, active: 0, queued: 0 };
  const interval = cps > 0 ? 1000 / cps : 0;
  const queue: (() => void)[] = [];
  const recentStarts: number[] = [];
  let nextSlot = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let soon = false;

  const recordStart = () => {
    const now = performance.now();
    recentStarts.push(now);
    while (recentStarts.length > 0 && recentStarts[0]! <= now - 1000) recentStarts.shift();
    stats.maxCps = Math.max(stats.maxCps, recentStarts.length);
  };

  const pump = () => {
    timer = undefined;
    while (!stopped && queue.length > 0) {
      const now = performance.now();
      if (now < nextSlot) {
        timer = setTimeout(pump, Math.ceil(nextSlot - now));
        return;
      }
      nextSlot = Math.max(now, nextSlot) + interval;
      const start = queue.shift()!;
      stats.queued = queue.length;
      recordStart();
      start();
    }
  };

  return {
    stats,
    admit() {
      stats.active++;
      stats.maxConcurrency = Math.max(stats.maxConcurrency, stats.active);
    },
    release() {
      stats.active = Math.max(0, stats.active - 1);
    },
    schedule(start) {
      const now = performance.now();
      const wait = Math.max(0, nextSlot - now) + queue.length * interval;
      queue.push(start);
      stats.queued = queue.length;
      // Dial on a later tick: the create response must still say `queued`.
      if (!timer && !soon) {
        soon = true;
        setImmediate(() => {
          soon = false;
          if (!timer) pump();
        });
      }
      return wait;
    },
    backlogSeconds() {
      return (queue.length * interval) / 1000;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      queue.length = 0;
      stats.queued = 0;
    },
  };
}
