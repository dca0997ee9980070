/**
 * Property: random interleavings, duplicates and drops of status-callback
 * sequences over many calls always end in consistent states.
 *
 * Invariants checked after every run:
 *  1. An attempt whose final event was delivered (at least once, in any order,
 *     among any duplicates and stale events) has exactly the outcome of that
 *     final event; one whose final event was dropped is closed by
 *     reconciliation as failed / reconciled_timeout — never anything else.
 *  2. Duplicates are no-ops: call_events holds each delivered (call, sequence) once.
 *  3. Older events never overwrite newer: last_sequence is the highest sequence applied.
 *  4. The contact is not_reached with last_outcome = its attempt's outcome; it
 *     is closed (with exactly one survey.not_reached event) iff it used its
 *     last attempt, and awaits retry otherwise.
 *  5. checkCallingInvariants (settled): no contact with two live attempts,
 *     attempts counted, nothing left in progress.
 */
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import type { DB } from '../../db/schema/index.js';
import type { AnsweredBy, CallEvent, CallStatus } from '../../domain/ports/telephony.js';
import { claimDueContacts } from './claim.js';
import { checkCallingInvariants } from './invariants.js';
import { findStaleAttempts, reconcileAttempt, recordCallEvent, recordPlacement } from './outcomes.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

type Step = [CallStatus, AnsweredBy?];
const SCRIPTS: Record<string, { steps: Step[]; outcome: string; errorCode?: string }> = {
  human: { steps: [['initiated'], ['ringing'], ['answered', 'human'], ['completed', 'human']], outcome: 'failed', errorCode: 'break_off' },
  machine: { steps: [['initiated'], ['ringing'], ['answered', 'machine'], ['completed', 'machine']], outcome: 'voicemail' },
  busy: { steps: [['initiated'], ['ringing'], ['busy']], outcome: 'busy' },
  noAnswer: { steps: [['initiated'], ['ringing'], ['no_answer']], outcome: 'no_answer' },
  failed: { steps: [['initiated'], ['failed']], outcome: 'failed' },
};

const NOW = new Date('2026-03-02T10:00:00Z');
let run = 0;

const callArb = fc.record({
  script: fc.constantFrom(...Object.keys(SCRIPTS)),
  // How many times each event of the script is delivered (0 = dropped).
  copies: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
  placeFirst: fc.boolean(),
});

describe('call events under chaos (property)', () => {
  it('always end in consistent states', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(callArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 2 }),
        fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
        async (calls, maxAttempts, shuffleKeys) => {
          run++;
          await db.updateTable('campaigns').set({ status: 'cancelled' }).where('status', '=', 'running').execute();
          const campaign = await createCampaign(db, { status: 'running', max_attempts: maxAttempts, retry_interval_minutes: 0, allowed_weekdays: [1, 2, 3, 4, 5, 6, 7] });
          for (let i = 0; i < calls.length; i++) await createContact(db, campaign.id);
          const claimed = await db.transaction().execute((trx) => claimDueContacts(trx, { limit: 100, now: NOW, guardMinutes: 5 }));
          expect(claimed).toHaveLength(calls.length);

          const deliveries: { callId: string; event: CallEvent }[] = [];
          const plan = claimed.map((c, i) => {
            const spec = calls[i]!;
            const script = SCRIPTS[spec.script]!;
            const providerCallId = `CA${run}x${i}`;
            const delivered = new Set<number>();
            script.steps.forEach(([status, answeredBy], seq) => {
              const n = spec.copies[seq] ?? 1;
              if (n > 0) delivered.add(seq);
              for (let k = 0; k < n; k++) {
                deliveries.push({
                  callId: c.callId,
                  event: { providerCallId, sequence: seq, status, rawStatus: status, occurredAt: new Date(NOW.getTime() + seq * 1000), ...(answeredBy ? { answeredBy } : {}) },
                });
              }
            });
            return { c, spec, script, providerCallId, delivered, finalDelivered: delivered.has(script.steps.length - 1) };
          });
          // A random interleaving of every delivery across all calls.
          const order = deliveries.map((d, i) => ({ d, k: shuffleKeys[i % shuffleKeys.length]! * 1000 + i })).sort((a, b) => a.k - b.k).map((x) => x.d);

          for (const p of plan) if (p.spec.placeFirst) await recordPlacement(db, { attemptId: p.c.attemptId, providerCallId: p.providerCallId, now: NOW });
          // Concurrent delivery in small groups (real interleaving on PostgreSQL).
          const group = testEngine() === 'postgres' ? 4 : 1;
          for (let i = 0; i < order.length; i += group) {
            await Promise.all(order.slice(i, i + group).map((d) => recordCallEvent(db, { ...d, now: NOW })));
          }
          for (const p of plan) if (!p.spec.placeFirst) await recordPlacement(db, { attemptId: p.c.attemptId, providerCallId: p.providerCallId, now: NOW });
          // Reconciliation for calls whose final event never came.
          for (const a of await findStaleAttempts(db, { startedBefore: new Date(NOW.getTime() + 3_600_000), limit: 1000 })) {
            await reconcileAttempt(db, { attemptId: a.id, now: NOW, fetched: null });
          }

          for (const p of plan) {
            const a = await db.selectFrom('call_attempts').selectAll().where('id', '=', p.c.attemptId).executeTakeFirstOrThrow();
            const k = await db.selectFrom('contacts').selectAll().where('id', '=', p.c.contactId).executeTakeFirstOrThrow();
            // 1
            if (p.finalDelivered) {
              expect(a.outcome).toBe(p.script.outcome);
              if (p.script.errorCode) expect(a.error_code).toBe(p.script.errorCode);
            } else {
              expect(a).toMatchObject({ outcome: 'failed', error_code: 'reconciled_timeout' });
            }
            // 2
            const evs = await db.selectFrom('call_events').select('sequence_number').where('call_attempt_id', '=', a.id).execute();
            expect(evs.map((e) => e.sequence_number).sort()).toEqual([...p.delivered].sort());
            // 3
            const maxSeq = p.delivered.size ? Math.max(...p.delivered) : null;
            if (p.finalDelivered || maxSeq === null) expect(a.last_sequence).toBe(maxSeq);
            else expect(a.last_sequence).toBe(maxSeq);
            // 4
            expect(k).toMatchObject({ state: 'not_reached', last_outcome: a.outcome, attempts_count: 1 });
            expect(k.closed_at !== null).toBe(maxAttempts === 1);
          }
          // 5
          expect(await checkCallingInvariants(db, campaign.id, { settled: true })).toEqual([]);
          // The campaign completes exactly when every contact is closed.
          const status = (await db.selectFrom('campaigns').select('status').where('id', '=', campaign.id).executeTakeFirstOrThrow()).status;
          expect(status).toBe(maxAttempts === 1 ? 'completed' : 'running');
        },
      ),
      { endOnFailure: true, ...(process.env.PROP_SEED ? { seed: Number(process.env.PROP_SEED) } : {}), numRuns: Number(process.env.PROP_RUNS ?? (testEngine() === 'postgres' ? 40 : 20)) },
    );
  }, 300_000);
});
