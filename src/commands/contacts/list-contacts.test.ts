import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import type { DB } from '../../db/schema/index.js';
import { ValidationError } from '../../domain/errors.js';
import { listContacts } from './list-contacts.js';

let t: TestDatabase;
let db: Kysely<DB>;
let campaignId: string;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
  campaignId = (await createCampaign(db)).id;
  const other = await createCampaign(db);
  await createContact(db, other.id, { phone_number: '+393470000111' });
  for (let i = 0; i < 30; i++) {
    await createContact(db, campaignId, {
      phone_number: `+39347000${String(1000 + i)}`,
      external_contact_id: `EXT-${String(i).padStart(3, '0')}`,
      email: `p${i}@example.org`,
      state: i % 3 === 0 ? 'completed' : 'pending',
      last_outcome: i % 3 === 0 ? 'completed' : i % 5 === 0 ? 'no_answer' : null,
      attempts_count: i % 4,
      created_at: new Date(Date.UTC(2026, 0, 1, 0, i)),
    });
  }
});
afterAll(() => t.close());

describe('listContacts', () => {
  it('pages newest first by default, with the total', async () => {
    const p1 = await listContacts(db, campaignId, { pageSize: 10 });
    expect(p1.total).toBe(30);
    expect(p1.items).toHaveLength(10);
    expect(p1.items[0]!.external_contact_id).toBe('EXT-029');
    const p3 = await listContacts(db, campaignId, { pageSize: 10, page: 3 });
    expect(p3.items.at(-1)!.external_contact_id).toBe('EXT-000');
    expect((await listContacts(db, campaignId, { pageSize: 10, page: 4 })).items).toEqual([]);
  });

  it('filters by state and last outcome, sorts by any listed column', async () => {
    const done = await listContacts(db, campaignId, { state: 'completed', pageSize: 200 });
    expect(done.total).toBe(10);
    expect(done.items.every((c) => c.state === 'completed')).toBe(true);
    const noAnswer = await listContacts(db, campaignId, { lastOutcome: 'no_answer' });
    expect(noAnswer.items.map((c) => c.external_contact_id).sort()).toEqual(['EXT-005', 'EXT-010', 'EXT-020', 'EXT-025']);
    const byAttempts = await listContacts(db, campaignId, { sort: 'attempts_count', order: 'desc', pageSize: 200 });
    const attempts = byAttempts.items.map((c) => c.attempts_count);
    expect(attempts).toEqual([...attempts].sort((a, b) => b - a));
    const byPhone = await listContacts(db, campaignId, { sort: 'phone_number', pageSize: 3 });
    expect(byPhone.items.map((c) => c.phone_number)).toEqual(['+393470001000', '+393470001001', '+393470001002']);
  });

  it('searches by external id prefix or trailing digits, within the campaign only', async () => {
    expect((await listContacts(db, campaignId, { search: 'EXT-01' })).items.map((c) => c.external_contact_id).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `EXT-01${i}`),
    );
    const digits = await listContacts(db, campaignId, { search: '1017' });
    expect(digits.items.map((c) => c.phone_number)).toEqual(['+393470001017']);
    expect((await listContacts(db, campaignId, { search: '0111' })).total).toBe(0);
    expect((await listContacts(db, campaignId, { search: '%' })).total).toBe(0);
  });

  it('masks numbers and hides emails for viewers', async () => {
    const page = await listContacts(db, campaignId, { search: '1017', maskPersonalData: true });
    expect(page.items[0]).toMatchObject({ phone_number: '+39347*****17', email: null });
  });

  it('rejects bad paging with field problems', async () => {
    const err = await listContacts(db, campaignId, { page: 0, pageSize: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => p.field)).toEqual(['page', 'page_size']);
  });

  it('searches trailing digits through the reversed-number index', async () => {
    const plan = await db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return sql<{ 'QUERY PLAN': string }>`explain select * from contacts
        where campaign_id = ${campaignId} and reverse(phone_number) like '7101%'`.execute(trx);
    });
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/contacts_campaign_phone_reversed_idx/);
  });
});
