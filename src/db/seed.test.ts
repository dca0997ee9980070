import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/db.js';
import { CORE_TABLES, type DB } from './schema/index.js';
import { seedDatabase, SeedError } from './seed.js';

async function counts(db: Kysely<DB>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of CORE_TABLES) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    out[table] = r.rows[0]!.n;
  }
  return out;
}

describe('demo seed', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(() => t.close());

  it('loads 10–20 records, and running it twice changes nothing', async () => {
    await seedDatabase(t.db);
    const first = await counts(t.db);
    const total = Object.values(first).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(10);
    expect(total).toBeLessThanOrEqual(20);
    const snapshot = await t.db.selectFrom('campaigns').selectAll().orderBy('id').execute();

    await seedDatabase(t.db);
    expect(await counts(t.db)).toEqual(first);
    expect(await t.db.selectFrom('campaigns').selectAll().orderBy('id').execute()).toEqual(snapshot);
  });

  it('has a user in each role and templates for each outcome in English and Italian', async () => {
    const roles = await t.db.selectFrom('users').select('role').execute();
    expect(roles.map((r) => r.role).sort()).toEqual(['admin', 'campaign_manager', 'viewer']);
    const templates = await t.db.selectFrom('email_templates').select(['type', 'locale']).execute();
    for (const type of ['completed', 'refused', 'not_reached'] as const) {
      for (const locale of ['en', 'it'] as const) {
        expect(templates.some((x) => x.type === type && x.locale === locale), `${type}/${locale}`).toBe(true);
      }
    }
  });

  it('has campaigns in several statuses, the sample with its 5 contacts, and 2 exclusions', async () => {
    const campaigns = await t.db.selectFrom('campaigns').select(['id', 'status', 'name']).execute();
    expect(new Set(campaigns.map((c) => c.status)).size).toBeGreaterThanOrEqual(3);
    const sample = campaigns.find((c) => c.status === 'running')!;
    expect(sample.name).toBe('Post-visit satisfaction survey');
    const contacts = await t.db.selectFrom('contacts').selectAll().where('campaign_id', '=', sample.id).execute();
    expect(contacts).toHaveLength(5);
    for (const c of contacts) expect(c.phone_number).toMatch(/^\+[1-9]\d{6,14}$/);
    const exclusions = await t.db.selectFrom('exclusion_list_entries').select('phone_number').execute();
    expect(exclusions).toHaveLength(2);
    // Excluded numbers are not among the sample's contacts.
    expect(contacts.filter((c) => exclusions.some((e) => e.phone_number === c.phone_number))).toEqual([]);
  });
});

describe('demo seed on an unmigrated database', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase({ migrated: false });
  });
  afterAll(() => t.close());

  it('refuses with a message that says to upgrade first', async () => {
    await expect(seedDatabase(t.db)).rejects.toThrowError(SeedError);
    await expect(seedDatabase(t.db)).rejects.toThrowError(/run `voicesurvey db upgrade` first/);
  });
});
