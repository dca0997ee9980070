import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/db.js';
import { createCampaign, createContact, createUser, uniquePhone } from '../../test/support/factories.js';
import { CORE_TABLES, ENUM_TYPES, type DB } from './schema/index.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

/** Runs `fn` expecting the database to reject it with `sqlState`; nothing it wrote survives. */
async function expectRejected(fn: (trx: Kysely<DB>) => Promise<unknown>, sqlState: string, constraint?: string) {
  const err = await db.transaction().execute(fn).then(() => null, (e: unknown) => e as { code?: string; constraint?: string });
  expect(err, 'the database accepted a row it must reject').not.toBeNull();
  expect(err?.code).toBe(sqlState);
  if (constraint) expect(err?.constraint).toBe(constraint);
}

describe('schema', () => {
  it('has exactly the 11 tables of the data model (plus the migration ledger)', async () => {
    const rows = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
    const names = rows.rows.map((r) => r.table_name).filter((n) => n !== 'schema_migrations');
    for (const table of CORE_TABLES) expect(names).toContain(table);
    expect(CORE_TABLES).toHaveLength(11);
  });

  it('defines every enum type with exactly its values, in order', async () => {
    const rows = await sql<{ typname: string; labels: string[] | string }>`
      select t.typname, array_agg(e.enumlabel::text order by e.enumsortorder) as labels
      from pg_type t join pg_enum e on e.enumtypid = t.oid
      where t.typnamespace = 'public'::regnamespace group by t.typname`.execute(db);
    const actual = Object.fromEntries(rows.rows.map((r) => [r.typname, r.labels]));
    expect(Object.keys(ENUM_TYPES)).toHaveLength(13);
    for (const [name, values] of Object.entries(ENUM_TYPES)) {
      expect(actual[name], `enum ${name}`).toEqual([...values]);
    }
  });

  it('uses an enum type for every status/type column', async () => {
    const rows = await sql<{ col: string; udt: string; data_type: string }>`
      select table_name || '.' || column_name as col, udt_name as udt, data_type
      from information_schema.columns
      where table_schema = 'public' and (column_name in ('status', 'type', 'role', 'state', 'source', 'outcome',
            'last_outcome', 'event_type', 'language', 'locale', 'preferred_language', 'provider_type', 'llm_provider')
            or column_name like 'question\__\_type')`.execute(db);
    const expected: Record<string, string> = {
      'users.role': 'user_role', 'email_templates.type': 'email_template_type', 'email_templates.locale': 'language_code',
      'campaigns.status': 'campaign_status', 'campaigns.language': 'language_code',
      'campaigns.question_1_type': 'question_type', 'campaigns.question_2_type': 'question_type', 'campaigns.question_3_type': 'question_type',
      'contacts.preferred_language': 'contact_language', 'contacts.state': 'contact_state', 'contacts.last_outcome': 'call_outcome',
      'exclusion_list_entries.source': 'exclusion_source', 'call_attempts.outcome': 'call_outcome', 'events.event_type': 'event_type',
      'email_notifications.status': 'email_status', 'provider_configs.provider_type': 'provider_type',
      'provider_configs.llm_provider': 'llm_provider', 'transcript_snippets.language': 'language_code',
    };
    const actual = Object.fromEntries(rows.rows.filter((r) => r.col in expected).map((r) => [r.col, r.data_type === 'USER-DEFINED' ? r.udt : r.data_type]));
    expect(actual).toEqual(expected);
  });

  it('indexes every foreign-key column (found from the catalog)', async () => {
    // For each single-column foreign key, look for any index whose first column it is.
    const rows = await sql<{ fk: string; indexed: boolean }>`
      select c.conrelid::regclass::text || '.' || a.attname as fk,
             exists (
               select 1 from pg_index i
               where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]
             ) as indexed
      from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype = 'f' and c.connamespace = 'public'::regnamespace`.execute(db);
    expect(rows.rows.length).toBeGreaterThanOrEqual(18);
    const unindexed = rows.rows.filter((r) => !r.indexed).map((r) => r.fk);
    expect(unindexed).toEqual([]);
  });

  it('indexes the hot filter columns', async () => {
    const rows = await sql<{ indexdef: string }>`select indexdef from pg_indexes where schemaname = 'public'`.execute(db);
    const defs = rows.rows.map((r) => r.indexdef);
    expect(defs.some((d) => /ON public\.contacts .*\(campaign_id, state\)/.test(d))).toBe(true);
    expect(defs.some((d) => /ON public\.call_attempts .*\(provider_call_id\)/.test(d))).toBe(true);
    expect(defs.some((d) => /UNIQUE INDEX .* ON public\.call_attempts .*\(call_id\)/.test(d))).toBe(true);
    expect(defs.some((d) => /ON public\.contacts .*\(phone_number\)/.test(d))).toBe(true);
  });

  it('generates native uuid primary keys in the database', async () => {
    const rows = await sql<{ table_name: string; data_type: string; column_default: string | null }>`
      select table_name, data_type, column_default from information_schema.columns
      where table_schema = 'public' and column_name = 'id'`.execute(db);
    // The 11 tables of the data model, and every table later migrations add.
    expect(rows.rows.filter((r) => (CORE_TABLES as readonly string[]).includes(r.table_name))).toHaveLength(11);
    for (const r of rows.rows) {
      expect(r.data_type, r.table_name).toBe('uuid');
      expect(r.column_default, r.table_name).toMatch(/gen_random_uuid\(\)/);
    }
    const user = await createUser(db);
    expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('stores every timestamp as timestamptz, created/updated defaulting to now', async () => {
    const rows = await sql<{ col: string; data_type: string; column_default: string | null }>`
      select table_name || '.' || column_name as col, data_type, column_default from information_schema.columns
      where table_schema = 'public' and table_name <> 'schema_migrations'
        and (column_name like '%\_at' or data_type like 'timestamp%')`.execute(db);
    expect(rows.rows.length).toBeGreaterThan(20);
    for (const r of rows.rows) expect(r.data_type, r.col).toBe('timestamp with time zone');
    for (const r of rows.rows.filter((x) => /\.(created_at|updated_at)$/.test(x.col))) {
      expect(r.column_default, r.col).toBe('now()');
    }
    const before = Date.now();
    const user = await createUser(db);
    expect(user.created_at).toBeInstanceOf(Date);
    expect(Math.abs(user.created_at.getTime() - before)).toBeLessThan(60_000);
  });

  it('maintains updated_at with a trigger on every table that has one', async () => {
    const withUpdated = await sql<{ table_name: string }>`
      select table_name from information_schema.columns
      where table_schema = 'public' and column_name = 'updated_at'`.execute(db);
    const triggers = await sql<{ tbl: string }>`
      select tgrelid::regclass::text as tbl from pg_trigger t join pg_proc p on p.oid = t.tgfoid
      where not t.tgisinternal and p.proname = 'set_updated_at'`.execute(db);
    expect(triggers.rows.map((r) => r.tbl).sort()).toEqual(withUpdated.rows.map((r) => r.table_name).sort());

    const user = await createUser(db);
    await sql`select pg_sleep(0.02)`.execute(db);
    const updated = await db.updateTable('users').set({ name: 'Renamed' }).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow();
    expect(updated.updated_at.getTime()).toBeGreaterThan(user.updated_at.getTime());
    expect(updated.created_at.getTime()).toBe(user.created_at.getTime());
  });

  describe('constraints', () => {
    it('rejects max_attempts 0 and 6 and accepts 1 and 5', async () => {
      await expectRejected((trx) => createCampaign(trx, { max_attempts: 0 }), '23514', 'campaigns_max_attempts_range');
      await expectRejected((trx) => createCampaign(trx, { max_attempts: 6 }), '23514', 'campaigns_max_attempts_range');
      await expect(createCampaign(db, { max_attempts: 1 })).resolves.toMatchObject({ max_attempts: 1 });
      await expect(createCampaign(db, { max_attempts: 5 })).resolves.toMatchObject({ max_attempts: 5 });
    });

    async function attemptFor(trx: Kysely<DB>) {
      const campaign = await createCampaign(trx);
      const contact = await createContact(trx, campaign.id);
      const attempt = await trx
        .insertInto('call_attempts')
        .values({ contact_id: contact.id, campaign_id: campaign.id, attempt_number: 1 })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { campaign, contact, attempt };
    }

    it('rejects a confidence of 1.5 (and -0.1)', async () => {
      for (const bad of [1.5, -0.1]) {
        await expectRejected(async (trx) => {
          const { campaign, contact, attempt } = await attemptFor(trx);
          await trx.insertInto('survey_responses')
            .values({ contact_id: contact.id, campaign_id: campaign.id, call_attempt_id: attempt.id, q1_answer: '7', q1_confidence: bad })
            .execute();
        }, '23514', 'survey_responses_q1_confidence_range');
      }
    });

    it('rejects a second survey response for the same contact', async () => {
      const { campaign, contact, attempt } = await attemptFor(db);
      const row = { contact_id: contact.id, campaign_id: campaign.id, call_attempt_id: attempt.id, q1_answer: '7', q1_confidence: 0.9 };
      await db.insertInto('survey_responses').values(row).execute();
      await expectRejected((trx) => trx.insertInto('survey_responses').values(row).execute(), '23505', 'survey_responses_contact_key');
      const count = await db.selectFrom('survey_responses').where('contact_id', '=', contact.id).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(count.n).toBe(1);
    });

    it('rejects a duplicate exclusion-list phone number', async () => {
      const phone = uniquePhone();
      await db.insertInto('exclusion_list_entries').values({ phone_number: phone, reason: 'asked' }).execute();
      await expectRejected(
        (trx) => trx.insertInto('exclusion_list_entries').values({ phone_number: phone, source: 'import' }).execute(),
        '23505',
        'exclusion_list_entries_phone_number_key',
      );
    });

    it('rejects attempt_number 0', async () => {
      await expectRejected(async (trx) => {
        const campaign = await createCampaign(trx);
        const contact = await createContact(trx, campaign.id);
        await trx.insertInto('call_attempts').values({ contact_id: contact.id, campaign_id: campaign.id, attempt_number: 0 }).execute();
      }, '23514', 'call_attempts_attempt_number_positive');
    });

    it('rejects retention days below 1', async () => {
      await expectRejected(
        (trx) => trx.insertInto('provider_configs').values({ provider_type: 'telephony_api', provider_name: 'twilio', transcript_retention_days: 0 }).execute(),
        '23514',
        'provider_configs_transcript_retention_days_min',
      );
      await expectRejected(
        (trx) => trx.insertInto('provider_configs').values({ provider_type: 'telephony_api', provider_name: 'twilio', recording_retention_days: 0 }).execute(),
        '23514',
        'provider_configs_recording_retention_days_min',
      );
    });

    it('rejects a phone number that is not E.164 and a value outside its enum', async () => {
      const campaign = await createCampaign(db);
      await expectRejected((trx) => createContact(trx, campaign.id, { phone_number: '3471234567' }), '23514', 'contacts_phone_e164');
      await expectRejected(
        (trx) => sql`insert into contacts (campaign_id, phone_number, state) values (${campaign.id}, ${uniquePhone()}, 'dialling')`.execute(trx),
        '22P02',
      );
    });

    it('stores a phone number once per campaign', async () => {
      const campaign = await createCampaign(db);
      const phone = uniquePhone();
      await createContact(db, campaign.id, { phone_number: phone });
      await expectRejected((trx) => createContact(trx, campaign.id, { phone_number: phone }), '23505', 'contacts_campaign_phone_key');
      const other = await createCampaign(db);
      await expect(createContact(db, other.id, { phone_number: phone })).resolves.toBeTruthy();
    });
  });
});
