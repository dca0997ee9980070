/**
 * The lock order of everything that excludes contacts by number.
 *
 * A number's contacts live in several campaigns, and several transactions may
 * exclude them at once: opt-outs (one per call, src/commands/dialogue/outcomes.ts),
 * `addExclusion`, a list import, the periodic re-check. Each locks some of those
 * rows, and an opt-out first locks its own contact. Without one order, two of
 * them each hold a contact the other needs and PostgreSQL aborts one ("deadlock
 * detected"): an opt-out lost, or an API call failed. The order
 * (docs/compliance.md, "Concurrency"):
 *
 * 1. the number: a transaction-scoped advisory lock (`lockExclusionNumber`),
 *    taken by opt-outs and `addExclusion` before they lock any contact row of
 *    the number, so those writers take their turns one after the other. An
 *    opt-out ending a call takes it after the attempt and dialogue rows, and
 *    then locks its own contact first: that contact is on the call
 *    (`in_progress`), which the writers without the number's lock (3.) never
 *    lock;
 * 2. the exclusion entry (its unique index: a second insert of the same new
 *    number waits for the first to commit);
 * 3. the number's dialable contacts, in id order, in one statement. The list
 *    import does the same for each segment's numbers (a lock per number would
 *    be millions of locks); the re-check skips rows locked by others.
 */
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema/index.js';

/** The per-number lock (1. above); held until the transaction ends. Re-entrant. */
export async function lockExclusionNumber(trx: Transaction<DB>, phoneNumber: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended('exclusion-number:' || ${phoneNumber}::text, 0))`.execute(trx);
}
