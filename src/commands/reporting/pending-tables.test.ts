/**
 * The reads of tables other branches add (0006 calling, 0007 dialogue). On
 * this branch the tables are absent and every read must degrade; once they
 * are merged, the second block runs against the real tables automatically.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import type { DB } from '../../db/schema/index.js';
import { getCallDetail } from './call-detail.js';
import { attemptExtras, callConsent, callTurns, consentedNotCompleted, dialogueFunnel, tableExists, turnLatencyP95 } from './pending-tables.js';
import { getCampaignStats } from './stats.js';

let t: TestDatabase;
let db: Kysely<DB>;
let merged: boolean;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
  const col = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns where table_name = 'call_attempts' and column_name = 'answered_by'`.execute(db);
  merged = (await tableExists(db, 'dialogue_turns')) && (await tableExists(db, 'consent_records')) && col.rows[0]!.n === 1;
});
afterAll(() => t.close());

async function attemptFor(campaignId: string, state: 'completed' | 'pending' = 'pending') {
  const contact = await createContact(db, campaignId, { state, attempts_count: 1, last_outcome: state === 'completed' ? 'completed' : 'failed' });
  const attempt = await db.insertInto('call_attempts').values({
    contact_id: contact.id, campaign_id: campaignId, attempt_number: 1, started_at: '2026-01-12T08:00:00Z',
    answered_at: '2026-01-12T08:00:05Z', ended_at: '2026-01-12T08:01:05Z', outcome: state === 'completed' ? 'completed' : 'failed',
  }).returningAll().executeTakeFirstOrThrow();
  return { contact, attempt };
}

describe('pending tables, before they are merged', () => {
  it('every read degrades to "not available"', async () => {
    if (merged) return;
    const c = await createCampaign(db);
    const { attempt } = await attemptFor(c.id);
    expect(await turnLatencyP95(db, c.id)).toBeNull();
    expect(await consentedNotCompleted(db, c.id)).toEqual([]);
    expect(await dialogueFunnel(db, c.id)).toBeNull();
    expect(await callTurns(db, attempt.id)).toEqual([]);
    expect(await callConsent(db, attempt.id)).toBeNull();
    const s = await getCampaignStats(db, c.id);
    expect(s.turnLatency.available).toBe(false);
    expect(s.funnel.approximate).toBe(true);
  });

  it('reads answered-by, duration and recording from the attempt row when present', () => {
    const answered = new Date('2026-01-01T10:00:00Z');
    const ended = new Date('2026-01-01T10:01:30Z');
    expect(attemptExtras({ answered_at: answered, ended_at: ended, metadata: {} })).toEqual({ answeredBy: null, durationSeconds: 90, recordingUrl: null });
    expect(attemptExtras({ answered_at: answered, ended_at: ended, answered_by: 'human', duration_seconds: 95, metadata: { recording_url: 'https://r/1' } }))
      .toEqual({ answeredBy: 'human', durationSeconds: 95, recordingUrl: 'https://r/1' });
  });
});

describe('pending tables, once 0006 and 0007 are merged', () => {
  it('feeds partials, funnel, turn latency, turns and consent from the dialogue data', async () => {
    if (!merged) return; // runs after the merge
    const c = await createCampaign(db);
    const done = await attemptFor(c.id, 'completed');
    const broke = await attemptFor(c.id, 'pending');
    for (const a of [done, broke]) {
      await sql`update call_attempts set answered_by = 'human' where id = ${a.attempt.id}`.execute(db);
      await sql`insert into consent_records (call_attempt_id, contact_id, campaign_id, consented_at, language, script_version, wording)
        values (${a.attempt.id}, ${a.contact.id}, ${c.id}, now(), 'en', 'v1', 'May I ask three questions?')`.execute(db);
      await sql`insert into dialogue_turns (call_attempt_id, sequence, stage, prompt, heard_text, processing_ms, asr_confidence, interpretation, interpreter)
        values (${a.attempt.id}, 1, 'consent', 'May I?', 'yes', 12.5, null, null, null),
               (${a.attempt.id}, 2, 'q1', 'Q1?', 'eight', 40, 0.91, ${JSON.stringify({ intent: 'answer', value: 8, confidence: 0.95 })}::jsonb, 'rules'),
               (${a.attempt.id}, 3, 'q3', 'Q3?', 'mail me', 5, null, ${JSON.stringify({ intent: 'answer', value: 'write to a@b.example', confidence: 0.6 })}::jsonb, 'llm')`.execute(db);
    }
    const s = await getCampaignStats(db, c.id);
    expect(s.aapor.counts.P).toBe(1);
    expect(s.funnel).toMatchObject({ answeredByPerson: 2, consented: 2, q1: 2, q2: 0, approximate: false });
    expect(s.turnLatency).toMatchObject({ available: true, p95Ms: 40, turns: 6 });
    const d = await getCallDetail(db, done.attempt.call_id);
    expect(d.consent).toMatchObject({ granted: true, scriptVersion: 'v1' });
    expect(d.turns.map((x) => [x.step, x.text, x.processingMs])).toEqual([['consent', 'yes', 12.5], ['q1', 'eight', 40], ['q3', 'mail me', 5]]);
    // How each answer was understood; free-text values are scrubbed like the heard text.
    expect(d.turns.map((x) => [x.interpretation, x.asrConfidence, x.interpreter])).toEqual([
      [null, null, null],
      [{ intent: 'answer', value: 8, confidence: 0.95 }, 0.91, 'rules'],
      [{ intent: 'answer', value: 'write to [email]', confidence: 0.6 }, null, 'llm'],
    ]);
    expect(d.answeredBy).toBe('human');
  });
});
