/**
 * A periodic loop with start()/stop(): runs `tick` every `intervalMs` (measured
 * from the end of the previous tick, so ticks never overlap). A tick that fails
 * with a retryable database error (src/db/errors.ts) is retried after a jittered
 * backoff; any other error is logged and the loop carries on at its interval.
 */
import { backoffDelay, isRetryableError } from '../db/errors.js';
import type { Logger } from '../observability/logger.js';

export interface Loop {
  start(): void;
  /** Stops scheduling and waits for a running tick to finish. */
  stop(): Promise<void>;
  /** Runs one tick now (tests); resolves when it is done. */
  runOnce(): Promise<void>;
}

export function createLoop(opts: { name: string; intervalMs: number; log: Logger; tick: () => Promise<void> }): Loop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let active = false;
  let failures = 0;

  const schedule = (ms: number) => {
    if (!active) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = runTick().finally(() => {
        running = undefined;
      });
    }, ms);
  };

  async function runTick(): Promise<void> {
    try {
      await opts.tick();
      failures = 0;
      schedule(opts.intervalMs);
    } catch (err) {
      if (isRetryableError(err)) {
        failures++;
        const delay = backoffDelay(failures, 100, Math.max(opts.intervalMs * 4, 5_000));
        opts.log.warn({ err, loop: opts.name, failures, delay }, 'retryable error in loop; backing off');
        schedule(delay);
      } else {
        opts.log.error({ err, loop: opts.name }, 'error in loop tick');
        schedule(opts.intervalMs);
      }
    }
  }

  return {
    start() {
      if (active) return;
      active = true;
      schedule(0);
    },
    async stop() {
      active = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
    async runOnce() {
      await opts.tick();
    },
  };
}
