/**
 * Leadership for the scheduler: one active dialler at a time.
 *
 * PostgreSQL: a session-level advisory lock held on a dedicated connection
 * (not a pool client, which could be recycled and silently drop the lock).
 * When the leader process dies its session ends and the lock is freed; a
 * standby asking every tick takes over within one tick. Each tick the leader
 * checks its session is alive, and steps down when it is not.
 *
 * PGlite: one process owns the data directory, so it is always the leader.
 */
import pg from 'pg';
import type { Logger } from '../observability/logger.js';

export interface LeaderLock {
  /** True when this process holds leadership now (acquiring it if free). */
  acquire(): Promise<boolean>;
  /** Gives leadership up and closes the dedicated session. */
  release(): Promise<void>;
}

/** Arbitrary constant identifying the scheduler's advisory lock ("VSAS"). */
export const SCHEDULER_LOCK_KEY = 0x56534153;

export function singleProcessLeader(): LeaderLock {
  return { acquire: async () => true, release: async () => {} };
}

export function advisoryLockLeader(url: string, log: Logger, key = SCHEDULER_LOCK_KEY): LeaderLock {
  let client: pg.Client | undefined;
  let held = false;

  const drop = async () => {
    const c = client;
    client = undefined;
    held = false;
    if (c) await c.end().catch(() => {});
  };

  return {
    async acquire() {
      try {
        if (!client) {
          const c = new pg.Client({ connectionString: url, application_name: 'voicesurvey-scheduler-leader', keepAlive: true, connectionTimeoutMillis: 5_000 });
          c.on('error', () => {
            // The session is gone: the lock with it.
            if (held) log.warn('scheduler leader session lost');
            held = false;
            client = undefined;
          });
          await c.connect();
          client = c;
        }
        if (held) {
          await client.query('select 1');
          return true;
        }
        const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [key]);
        held = r.rows[0]?.ok === true;
        if (held) log.info('became the active scheduler');
        return held;
      } catch (err) {
        log.warn({ err }, 'scheduler leader check failed; standing by');
        await drop();
        return false;
      }
    },
    async release() {
      if (client && held) await client.query('select pg_advisory_unlock($1)', [key]).catch(() => {});
      await drop();
    },
  };
}
