import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import type { DB } from '../../db/schema/index.js';
import { getCallDetail, listContactAttempts } from './call-detail.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

async function setup() {
  const campaign = await createCampaign(db);
  const contact = await createContact(db, campaign.id, { external_contact_id: 'CRM-1', attempts_count: 2, state: 'completed' });
  const first = await db.insertInto('call_attempts').values({
    contact_id: contact.id, campaign_id: campaign.id, attempt_number: 1, provider_call_id: 'CA-1',
    started_at: '2026-01-10T09:00:00Z', ended_at: '2026-01-10T09:00:30Z', outcome: 'no_answer', provider_raw_status: 'no-answer',
  }).returningAll().executeTakeFirstOrThrow();
  const second = await db.insertInto('call_attempts').values({
    contact_id: contact.id, campaign_id: campaign.id, attempt_number: 2, provider_call_id: 'CA-2',
    started_at: '2026-01-11T09:00:00Z', answered_at: '2026-01-11T09:00:05Z', ended_at: '2026-01-11T09:02:05Z',
    outcome: 'completed', metadata: { recording_url: 'https://recordings.example/CA-2.wav', answered_by: 'human' },
  }).returningAll().executeTakeFirstOrThrow();
  await db.insertInto('transcript_snippets').values([
    { call_attempt_id: second.id, transcript_text: 'Agent: Hello… Caller: yes, [phone removed]', language: 'en', created_at: '2026-01-11T09:00:10Z' },
    { call_attempt_id: second.id, transcript_text: 'Caller: eight', language: 'en', created_at: '2026-01-11T09:01:00Z' },
  ]).execute();
  await db.insertInto('call_events').values([
    { call_attempt_id: second.id, provider_call_id: `CA-2-${second.id}`, sequence_number: 2, status: 'in_progress', raw_status: 'in-progress', occurred_at: '2026-01-11T09:00:05Z', answered_by: 'human' },
    { call_attempt_id: second.id, provider_call_id: `CA-2-${second.id}`, sequence_number: 1, status: 'ringing', raw_status: 'ringing', occurred_at: '2026-01-11T09:00:01Z' },
    { call_attempt_id: second.id, provider_call_id: `CA-2-${second.id}`, sequence_number: 3, status: 'completed', raw_status: 'completed', occurred_at: '2026-01-11T09:02:05Z', duration_seconds: 120 },
  ]).execute();
  return { campaign, contact, first, second };
}

describe('getCallDetail', () => {
  it('returns outcome, attempt number, timestamps, duration, provider id, answered-by, transcript and recording', async () => {
    const { second, contact, campaign } = await setup();
    const d = await getCallDetail(db, second.call_id, { now: new Date('2026-02-01T00:00:00Z') });
    expect(d).toMatchObject({
      callId: second.call_id, attemptId: second.id, attemptNumber: 2, outcome: 'completed', providerCallId: 'CA-2',
      campaignId: campaign.id, contactId: contact.id, externalContactId: 'CRM-1', durationSeconds: 120, answeredBy: 'human',
      errorCode: null, consent: null, turns: [],
    });
    expect(d.answeredAt).toEqual(new Date('2026-01-11T09:00:05Z'));
    expect(d.events.map((e) => [e.status, e.rawStatus, e.answeredBy, e.durationSeconds])).toEqual([
      ['ringing', 'ringing', null, null], ['in_progress', 'in-progress', 'human', null], ['completed', 'completed', null, 120],
    ]);
    expect(d.transcript.map((s) => s.text)).toEqual(['Agent: Hello… Caller: yes, [phone removed]', 'Caller: eight']);
    expect(d.recording).toEqual({ url: 'https://recordings.example/CA-2.wav', availableUntil: new Date('2026-07-10T09:02:05Z') });
  });

  it('hides the recording once it is past the retention period (provider_configs)', async () => {
    const { second } = await setup();
    await db.insertInto('provider_configs').values({ provider_type: 'telephony_api', provider_name: 'simulator', recording_retention_days: 7 }).execute();
    try {
      expect((await getCallDetail(db, second.call_id, { now: new Date('2026-01-15T00:00:00Z') })).recording).not.toBeNull();
      expect((await getCallDetail(db, second.call_id, { now: new Date('2026-01-19T00:00:00Z') })).recording).toBeNull();
    } finally {
      await db.deleteFrom('provider_configs').execute();
    }
  });

  it('finds a call by attempt id too, and 404s (not_found) on unknown ids', async () => {
    const { first } = await setup();
    expect((await getCallDetail(db, first.id)).outcome).toBe('no_answer');
    await expect(getCallDetail(db, 'no-such-call')).rejects.toMatchObject({ kind: 'not_found', code: 'call.not_found' });
    await expect(getCallDetail(db, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('listContactAttempts', () => {
  it('lists a contact\'s attempts in order', async () => {
    const { contact } = await setup();
    const list = await listContactAttempts(db, contact.id);
    expect(list.map((a) => [a.attemptNumber, a.outcome, a.durationSeconds])).toEqual([[1, 'no_answer', null], [2, 'completed', 120]]);
  });

  it('404s for an unknown contact, and an empty list for one never called', async () => {
    await expect(listContactAttempts(db, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ kind: 'not_found', code: 'contact.not_found' });
    await expect(listContactAttempts(db, 'x')).rejects.toMatchObject({ kind: 'not_found' });
    const c = await createContact(db, (await createCampaign(db)).id);
    expect(await listContactAttempts(db, c.id)).toEqual([]);
  });
});
