import iconv from 'iconv-lite';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import type { DB } from '../../db/schema/index.js';
import { DomainError } from '../../domain/errors.js';
import { importContacts, type ImportContactsInput } from './import-contacts.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

async function* chunks(buf: Buffer, size = 4096) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

function run(campaignId: string, file: string | Buffer, extra: Partial<ImportContactsInput> = {}) {
  const buf = typeof file === 'string' ? Buffer.from(file) : file;
  return importContacts(db, { campaignId, source: chunks(buf), maxBytes: 256 * 1024 * 1024, ...extra });
}

async function contactsOf(campaignId: string) {
  return db.selectFrom('contacts').selectAll().where('campaign_id', '=', campaignId).orderBy('phone_number').execute();
}

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, 'expected the import to fail').toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('importContacts', () => {
  it('imports a clean file with every column', async () => {
    const c = await createCampaign(db);
    const report = await run(
      c.id,
      'Phone_Number,External_Contact_ID,Email,Language,Has_Prior_Consent,Do_Not_Call,Timezone,Notes\n' +
        '347 123 4567,A1,a@example.org,IT,sì,no,Europe/Rome,x\n' +
        '0039 347 1234568,A2,,en,1,0,,y\n',
    );
    expect(report).toMatchObject({ total_rows: 2, accepted: 2, rejected: 0, duplicates: 0, excluded: 0, unknown_columns: ['Notes'], errors: [], errors_total: 0 });
    const rows = await contactsOf(c.id);
    expect(rows.map((r) => [r.phone_number, r.external_contact_id, r.email, r.preferred_language, r.has_prior_consent, r.do_not_call, r.timezone, r.state])).toEqual([
      ['+393471234567', 'A1', 'a@example.org', 'it', true, false, 'Europe/Rome', 'pending'],
      ['+393471234568', 'A2', null, 'en', true, false, null, 'pending'],
    ]);
    const stored = await db.selectFrom('contact_imports').selectAll().where('id', '=', report.import_id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ kind: 'contacts', campaign_id: c.id, total_rows: 2, accepted: 2, unknown_columns: ['Notes'] });
  });

  it('mixed faults: every valid row accepted, every rejected row reported with line and reason', async () => {
    const c = await createCampaign(db);
    const lines = ['phone_number;email;language;do_not_call;timezone'];
    const expectedErrors: { line: number; field: string; code: string }[] = [];
    let valid = 0;
    for (let i = 0; i < 400; i++) {
      const n = `347${String(2000000 + i).padStart(7, '0')}`;
      const line = lines.length + 1;
      switch (i % 8) {
        case 1:
          lines.push(`12${i};;;;`);
          expectedErrors.push({ line, field: 'phone_number', code: 'invalid_phone' });
          break;
        case 3:
          lines.push(`${n};not-an-email;;;`);
          expectedErrors.push({ line, field: 'email', code: 'invalid_email' });
          break;
        case 5:
          lines.push(`${n};;klingon;maybe;Mars/Base`);
          expectedErrors.push({ line, field: 'language', code: 'invalid_language' }, { line, field: 'do_not_call', code: 'invalid_boolean' }, { line, field: 'timezone', code: 'invalid_timezone' });
          break;
        case 7:
          lines.push(`;x@example.org;;;`);
          expectedErrors.push({ line, field: 'phone_number', code: 'required' });
          break;
        default:
          lines.push(`${n};x${i}@example.org;it;no;Europe/Rome`);
          valid++;
      }
    }
    const report = await run(c.id, lines.join('\r\n') + '\r\n', { onProgress: () => {} });
    expect(report.total_rows).toBe(400);
    expect(report.accepted).toBe(valid);
    expect(report.rejected).toBe(400 - valid);
    expect(report.accepted + report.rejected + report.duplicates).toBe(report.total_rows);
    expect(report.errors_total).toBe(expectedErrors.length);
    expect(report.errors).toHaveLength(100);
    expect(report.errors.slice(0, 5).map(({ line, field, code }) => ({ line, field, code }))).toEqual(expectedErrors.slice(0, 5));
    const stored = await db.selectFrom('contact_import_errors').select(['line', 'field', 'code']).where('import_id', '=', report.import_id).orderBy('line').orderBy('field').execute();
    const sortKey = (e: { line: number; field: string }) => `${String(e.line).padStart(6, '0')}${e.field}`;
    expect(stored.map((e) => sortKey(e))).toEqual(expectedErrors.map(sortKey).sort());
    expect(await contactsOf(c.id)).toHaveLength(valid);
  });

  it('counts duplicates within the file and against the campaign; the first occurrence wins', async () => {
    const c = await createCampaign(db);
    await createContact(db, c.id, { phone_number: '+393470000001', external_contact_id: 'old' });
    const report = await run(
      c.id,
      'phone_number,external_contact_id\n+393470000002,first\n347 000 0002,second\n+393470000001,again\n3470000003,new\n0039 347 0000003,dup\n',
    );
    expect(report).toMatchObject({ total_rows: 5, accepted: 2, rejected: 0, duplicates: 3 });
    const rows = await contactsOf(c.id);
    expect(rows.map((r) => [r.phone_number, r.external_contact_id])).toEqual([
      ['+393470000001', 'old'],
      ['+393470000002', 'first'],
      ['+393470000003', 'new'],
    ]);
    // Importing the same file again adds nothing.
    const again = await run(c.id, 'phone_number\n+393470000002\n');
    expect(again).toMatchObject({ total_rows: 1, accepted: 0, duplicates: 1 });
  });

  it('stores excluded-list numbers and do_not_call rows as excluded', async () => {
    const c = await createCampaign(db);
    await db.insertInto('exclusion_list_entries').values({ phone_number: '+393479990001', source: 'manual' }).execute();
    const report = await run(c.id, 'phone_number,do_not_call\n3479990001,\n3479990002,yes\n3479990003,no\n');
    expect(report).toMatchObject({ total_rows: 3, accepted: 3, excluded: 2 });
    const rows = await contactsOf(c.id);
    expect(rows.map((r) => [r.phone_number, r.state])).toEqual([
      ['+393479990001', 'excluded'],
      ['+393479990002', 'excluded'],
      ['+393479990003', 'pending'],
    ]);
  });

  it('reads Windows-1252 with semicolons, tabs, BOM, CRLF and embedded newlines', async () => {
    const c = await createCampaign(db);
    const latin = iconv.encode('phone_number;external_contact_id;note\r\n3471110001;Città;"riga uno\r\nriga due"\r\n3471110002;Forlì;ok\r\n', 'win1252');
    const r1 = await run(c.id, latin);
    expect(r1).toMatchObject({ total_rows: 2, accepted: 2, unknown_columns: ['note'] });
    const tab = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('phone_number\texternal_contact_id\n3471110003\tè\n"3471110004"\t"a\tb"\n')]);
    const r2 = await run(c.id, tab);
    expect(r2).toMatchObject({ total_rows: 2, accepted: 2, unknown_columns: [] });
    const ids = (await contactsOf(c.id)).map((r) => r.external_contact_id);
    expect(ids).toEqual(['Città', 'Forlì', 'è', 'a\tb']);
  });

  it('reports the physical line of rows after embedded newlines', async () => {
    const c = await createCampaign(db);
    const report = await run(c.id, 'phone_number,note\n3471120001,"a\nb\nc"\n\nbad,x\n');
    expect(report.errors).toEqual([{ line: 6, field: 'phone_number', code: 'invalid_phone', message: expect.any(String) }]);
  });

  it.each([
    ['empty', '', 'csv.empty'],
    ['header only', 'phone_number,email\n', 'csv.header_only'],
    ['no phone_number column', 'mobile,email\n3471234567,a@example.org\n', 'csv.missing_phone_column'],
    ['binary', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2]), 'csv.binary'],
    ['unbalanced quotes', 'phone_number,note\n3471130001,ok\n3471130002,"never closed\n3471130003,x\n', 'csv.unbalanced_quotes'],
    ['a line over 64 KiB', `phone_number,note\n3471130004,ok\n3471130005,${'x'.repeat(65 * 1024)}\n`, 'csv.line_too_long'],
  ])('%s: a clear error and nothing written', async (_name, file, code) => {
    const c = await createCampaign(db);
    const before = await db.selectFrom('contact_imports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const err = await rejection(run(c.id, file));
    expect(err.code).toBe(code);
    expect(err.kind).toBe('invalid');
    expect(await contactsOf(c.id)).toEqual([]);
    const after = await db.selectFrom('contact_imports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('all or nothing: a fault after many rows leaves no rows and no report', async () => {
    const c = await createCampaign(db);
    const good = Array.from({ length: 5000 }, (_, i) => `347${String(3000000 + i)}`).join('\n');
    const err = await rejection(run(c.id, `phone_number,note\n${good}\n3479999999,"open\n`));
    expect(err.code).toBe('csv.unbalanced_quotes');
    expect(await contactsOf(c.id)).toEqual([]);
  });

  it('all or nothing: a source that fails mid-stream (client disconnect) leaves nothing', async () => {
    const c = await createCampaign(db);
    async function* dropping() {
      yield Buffer.from('phone_number\n' + Array.from({ length: 3000 }, (_, i) => `347${String(4000000 + i)}`).join('\n') + '\n');
      throw new Error('client went away');
    }
    await expect(importContacts(db, { campaignId: c.id, source: dropping(), maxBytes: 1 << 30 })).rejects.toThrow(/client went away/);
    expect(await contactsOf(c.id)).toEqual([]);
    // The connection is healthy afterwards.
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows[0]!.one).toBe(1);
  });

  it('the size limit is a too_large error with the limit, and nothing is written', async () => {
    const c = await createCampaign(db);
    const file = 'phone_number\n' + Array.from({ length: 20_000 }, (_, i) => `347${String(5000000 + i)}`).join('\n');
    const err = await rejection(run(c.id, file, { maxBytes: 100_000 }));
    expect(err).toMatchObject({ code: 'csv.too_large', kind: 'too_large', details: { limit_bytes: 100_000 } });
    expect(await contactsOf(c.id)).toEqual([]);
  });

  it('is allowed in draft, scheduled, paused and running; a conflict when completed or cancelled', async () => {
    for (const status of ['draft', 'scheduled', 'paused', 'running'] as const) {
      const c = await createCampaign(db, { status });
      await expect(run(c.id, 'phone_number\n3471140001\n')).resolves.toMatchObject({ accepted: 1 });
    }
    for (const status of ['completed', 'cancelled'] as const) {
      const c = await createCampaign(db, { status });
      const err = await rejection(run(c.id, 'phone_number\n3471140001\n'));
      expect(err).toMatchObject({ code: 'contacts.import_not_allowed', kind: 'conflict' });
    }
    const err = await rejection(run('00000000-0000-4000-8000-000000000000', 'phone_number\n3471140001\n'));
    expect(err.kind).toBe('not_found');
    expect((await rejection(run('not-a-uuid', 'phone_number\n1\n'))).kind).toBe('not_found');
  });

  it('refuses a campaign whose phone region has no numbering plan, writing nothing', async () => {
    const c = await createCampaign(db, { phone_region: 'XX' });
    const err = await rejection(run(c.id, 'phone_number\n3471234567\n'));
    expect(err).toMatchObject({ code: 'contacts.unknown_phone_region', kind: 'conflict' });
    expect(await contactsOf(c.id)).toEqual([]);
  });

  it("uses the campaign's phone region for national numbers", async () => {
    const c = await createCampaign(db, { phone_region: 'GB' });
    const report = await run(c.id, 'phone_number\n020 7946 0958\n347 123 4567\n');
    expect(report).toMatchObject({ accepted: 1, rejected: 1 });
    expect((await contactsOf(c.id)).map((r) => r.phone_number)).toEqual(['+442079460958']);
  });
});

describe('importContacts in segments (the file applied 100 rows at a time)', () => {
  const segmented = (campaignId: string, file: string) => run(campaignId, file, { segmentRows: 100 });

  it('a number repeated in a later segment is a duplicate and its first line wins; every error is stored with its line', async () => {
    const c = await createCampaign(db);
    const lines = ['phone_number,external_contact_id'];
    for (let i = 0; i < 1000; i++) {
      if (i % 50 === 7) lines.push(`12${i},bad-${i}`); // invalid: 20 rows
      else if (i >= 500 && i % 100 === 3) lines.push(`347${String(7000000 + i - 450)},again-${i}`); // repeats a row ~4 segments back: 5 rows
      else lines.push(`347${String(7000000 + i)},first-${i}`);
    }
    const report = await segmented(c.id, lines.join('\n') + '\n');
    expect(report).toMatchObject({ total_rows: 1000, rejected: 20, duplicates: 5, accepted: 975, errors_total: 20 });
    const rows = await contactsOf(c.id);
    expect(rows).toHaveLength(975);
    expect(rows.filter((r) => r.external_contact_id!.startsWith('again-'))).toEqual([]);
    const stored = await db.selectFrom('contact_import_errors').select(['line', 'field']).where('import_id', '=', report.import_id).orderBy('line').execute();
    expect(stored.map((e) => e.line)).toEqual(Array.from({ length: 20 }, (_, k) => 50 * k + 7 + 2));
    expect(new Set(stored.map((e) => e.field))).toEqual(new Set(['phone_number']));
  });

  it('matches the exclusion list in every segment', async () => {
    const c = await createCampaign(db);
    const listed = ['+393477100050', '+393477100450', '+393477100850'];
    await db.insertInto('exclusion_list_entries').values(listed.map((phone_number) => ({ phone_number, source: 'manual' as const }))).execute();
    const file = 'phone_number\n' + Array.from({ length: 900 }, (_, i) => `347${String(7100000 + i)}`).join('\n') + '\n';
    const report = await segmented(c.id, file);
    expect(report).toMatchObject({ total_rows: 900, accepted: 900, excluded: 3 });
    const excluded = await db.selectFrom('contacts').select('phone_number').where('campaign_id', '=', c.id).where('state', '=', 'excluded').orderBy('phone_number').execute();
    expect(excluded.map((r) => r.phone_number)).toEqual(listed);
  });

  it('all or nothing: a fault several segments in undoes the segments already applied', async () => {
    const c = await createCampaign(db);
    const imports = async () => Number((await db.selectFrom('contact_imports').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const errors = async () => Number((await db.selectFrom('contact_import_errors').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const [importsBefore, errorsBefore] = [await imports(), await errors()];
    const good = Array.from({ length: 750 }, (_, i) => (i % 10 === 0 ? `12${i}` : `347${String(7200000 + i)}`)).join('\n');
    const err = await rejection(segmented(c.id, `phone_number,note\n${good}\n3479999999,"open\n`));
    expect(err.code).toBe('csv.unbalanced_quotes');
    expect(await contactsOf(c.id)).toEqual([]);
    expect(await imports()).toBe(importsBefore);
    expect(await errors()).toBe(errorsBefore);
  });
});

describe.runIf(testEngine() === 'postgres')('importContacts, concurrently', () => {
  it('two uploads of overlapping numbers in opposite orders both succeed; each number is stored once', async () => {
    const other = await t.connectAgain(4);
    const c = await createCampaign(db);
    const numbers = Array.from({ length: 2000 }, (_, i) => `347${String(6000000 + i)}`);
    const a = 'phone_number\n' + numbers.join('\n') + '\n';
    const b = 'phone_number\n' + [...numbers].reverse().join('\n') + '\n';
    // Small segments: each upload inserts in many steps, in opposite orders.
    const [ra, rb] = await Promise.all([
      run(c.id, a, { segmentRows: 100 }),
      importContacts(other, { campaignId: c.id, source: chunks(Buffer.from(b)), maxBytes: 1 << 30, segmentRows: 100 }),
    ]);
    expect(ra.accepted + rb.accepted).toBe(2000);
    expect(ra.duplicates + rb.duplicates).toBe(2000);
    expect(await contactsOf(c.id)).toHaveLength(2000);
  });
});
