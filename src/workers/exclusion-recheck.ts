/**
 * The periodic exclusion re-check (issue 4): every few minutes, any dialable
 * contact whose number is on the exclusion list (or flagged do_not_call) becomes
 * `excluded`, whatever slipped past the import-time and add-time checks (an
 * entry added by another tool straight into the database, a restore, a bug).
 * The scheduler also re-checks at claim time; this keeps the counts honest
 * between dials. Safe in several processes: the update is idempotent.
 */
import type { Kysely } from 'kysely';
import { recheckExclusions } from '../commands/exclusions/exclusions.js';
import type { DB } from '../db/schema/index.js';
import type { Logger } from '../observability/logger.js';
import { createLoop, type Loop } from './loop.js';

export const DEFAULT_EXCLUSION_RECHECK_MS = 300_000;

export function createExclusionRecheck(deps: { db: Kysely<DB>; log: Logger; intervalMs: number }): Loop {
  return createLoop({
    name: 'exclusion-recheck',
    intervalMs: deps.intervalMs,
    log: deps.log,
    tick: async () => {
      const excluded = await recheckExclusions(deps.db);
      if (excluded > 0) deps.log.info({ excluded }, 'exclusion re-check: contacts excluded');
    },
  });
}
