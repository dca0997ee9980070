import { type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import type { ContactState, DB } from '../../db/schema/index.js';
import { DomainError, ValidationError } from '../../domain/errors.js';
import { importContacts } from '../contacts/import-contacts.js';
import { addExclusion, importExclusions, listExclusions, recheckExclusions, removeExclusion } from './exclusions.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

async function* once(text: string) {
  yield Buffer.from(text);
}

const stateOf = async (id: string) => (await db.selectFrom('contacts').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

describe('addExclusion', () => {
  it('normalizes the number and excludes dialable contacts in every campaign, in the same transaction', async () => {
    const a = await createCampaign(db);
    const states: ContactState[] = ['pending', 'not_reached', 'in_progress', 'completed', 'refused'];
    const contacts = [];
    // One contact per campaign: a number is stored once per campaign.
    for (const state of states) {
      contacts.push(await createContact(db, (await createCampaign(db)).id, { phone_number: '+393475550001', state }));
    }
    const other = await createContact(db, a.id, { phone_number: '+393475550002' });

    const r = await addExclusion(db, { phoneNumber: '0039 347 555 0001', reason: 'asked on the phone' });
    expect(r.created).toBe(true);
    expect(r.entry).toMatchObject({ phone_number: '+393475550001', reason: 'asked on the phone', source: 'api' });
    expect(r.contactsExcluded).toBe(2);
    expect(await Promise.all(contacts.map((c) => stateOf(c.id)))).toEqual(['excluded', 'excluded', 'in_progress', 'completed', 'refused']);
    expect(await stateOf(other.id)).toBe('pending');

    const again = await addExclusion(db, { phoneNumber: '+393475550001', source: 'manual' });
    expect(again).toMatchObject({ created: false, contactsExcluded: 0, entry: { id: r.entry.id, source: 'api' } });
  });

  it('rejects invalid numbers and regions with field problems', async () => {
    const err = await addExclusion(db, { phoneNumber: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems).toEqual([{ field: 'phone_number', code: 'invalid_phone', message: expect.any(String) }]);
    const bad = await addExclusion(db, { phoneNumber: '3471234567', region: 'XX' }).catch((e: unknown) => e);
    expect((bad as ValidationError).problems[0]).toMatchObject({ field: 'region' });
  });

  it('leaves a contact that was finally not reached as it is (a terminal state), by every path that excludes', async () => {
    const c = await createCampaign(db);
    const closedAt = new Date('2026-11-20T10:00:00Z');
    const finals = await Promise.all(
      ['+393475550101', '+393475550102', '+393475550103'].map((phone_number) => createContact(db, c.id, { phone_number, state: 'not_reached', attempts_count: 3 })),
    );
    await db.updateTable('contacts').set({ closed_at: closedAt }).where('id', 'in', finals.map((f) => f.id)).execute();
    expect((await addExclusion(db, { phoneNumber: '+393475550101' })).contactsExcluded).toBe(0);
    const report = await importExclusions(db, { source: once('phone_number\n+393475550102\n'), maxBytes: 1 << 20 });
    expect(report).toMatchObject({ accepted: 1, excluded: 0 });
    await db.insertInto('exclusion_list_entries').values({ phone_number: '+393475550103' }).execute();
    await recheckExclusions(db);
    expect(await Promise.all(finals.map((f) => stateOf(f.id)))).toEqual(['not_reached', 'not_reached', 'not_reached']);
  });
});

describe('importExclusions', () => {
  it('imports a list with provenance, reports like contacts, and excludes matching contacts', async () => {
    const c = await createCampaign(db);
    const pending = await createContact(db, c.id, { phone_number: '+393476660001' });
    const done = await createContact(db, c.id, { phone_number: '+393476660002', state: 'completed' });
    await addExclusion(db, { phoneNumber: '+393476660003' });
    const report = await importExclusions(db, {
      source: once('Phone_Number;Reason;Extra\r\n347 666 0001;;x\r\n3476660002;own reason;\r\n3476660003;;\r\n3476660001;;\r\nbad;;\r\n'),
      reason: 'national register',
      listName: 'RPO',
      listDate: '2026-11-01',
      maxBytes: 1 << 20,
    });
    expect(report).toMatchObject({ total_rows: 5, accepted: 2, rejected: 1, duplicates: 2, excluded: 1, unknown_columns: ['Extra'], errors_total: 1 });
    expect(report.errors).toEqual([{ line: 6, field: 'phone_number', code: 'invalid_phone', message: expect.any(String) }]);
    expect(await stateOf(pending.id)).toBe('excluded');
    expect(await stateOf(done.id)).toBe('completed');
    const entries = await db.selectFrom('exclusion_list_entries').selectAll().where('import_id', '=', report.import_id).orderBy('phone_number').execute();
    expect(entries.map((e) => [e.phone_number, e.reason, e.source, e.list_name, e.list_date])).toEqual([
      ['+393476660001', 'national register', 'import', 'RPO', '2026-11-01'],
      ['+393476660002', 'own reason', 'import', 'RPO', '2026-11-01'],
    ]);
    // New contacts are checked on import.
    const c2 = await createCampaign(db);
    const r2 = await importContacts(db, { campaignId: c2.id, source: once('phone_number\n3476660002\n3476660009\n'), maxBytes: 1 << 20 });
    expect(r2).toMatchObject({ accepted: 2, excluded: 1 });
  });

  it('in segments (100 rows at a time): repeats across segments count once, every segment excludes its contacts, a late fault undoes all', async () => {
    const c = await createCampaign(db);
    const early = await createContact(db, c.id, { phone_number: '+393476800010' });
    const late = await createContact(db, c.id, { phone_number: '+393476800950' });
    const numbers = Array.from({ length: 1000 }, (_, i) => `347680${String(i).padStart(4, '0')}`);
    const file = 'phone_number\n' + [...numbers, numbers[10], numbers[500]].join('\n') + '\n';
    const report = await importExclusions(db, { source: once(file), maxBytes: 1 << 22, segmentRows: 100 });
    expect(report).toMatchObject({ total_rows: 1002, accepted: 1000, duplicates: 2, rejected: 0, excluded: 2 });
    expect([await stateOf(early.id), await stateOf(late.id)]).toEqual(['excluded', 'excluded']);

    const before = (await listExclusions(db)).total;
    const other = await createContact(db, c.id, { phone_number: '+393476810000' });
    const faulty = 'phone_number\n' + Array.from({ length: 700 }, (_, i) => `347681${String(i).padStart(4, '0')}`).join('\n') + '\n"open\n';
    const err = await importExclusions(db, { source: once(faulty), maxBytes: 1 << 22, segmentRows: 100 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'csv.unbalanced_quotes' });
    expect((await listExclusions(db)).total).toBe(before);
    expect(await stateOf(other.id)).toBe('pending');
  });

  it('writes nothing for a file that is not CSV, and validates the list date', async () => {
    const before = (await listExclusions(db)).total;
    const err = await importExclusions(db, { source: once('phone_number\n3476670001\n"open\n'), maxBytes: 1 << 20 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'csv.unbalanced_quotes' });
    expect((await listExclusions(db)).total).toBe(before);
    const bad = await importExclusions(db, { source: once('phone_number\n3476670001\n'), listDate: '2026-13-45', maxBytes: 1 << 20 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    const headerOnly = await importExclusions(db, { source: once('phone_number\n'), maxBytes: 1 << 20 }).catch((e: unknown) => e);
    expect(headerOnly).toMatchObject({ code: 'csv.header_only' });
  });
});

describe('removeExclusion, listExclusions, recheckExclusions', () => {
  it('removing does not re-include; listing searches by trailing digits; recheck catches the rest', async () => {
    const c = await createCampaign(db);
    const contact = await createContact(db, c.id, { phone_number: '+393477770001' });
    const { entry } = await addExclusion(db, { phoneNumber: '+393477770001' });
    expect(await stateOf(contact.id)).toBe('excluded');

    const page = await listExclusions(db, { search: '7770001' });
    expect(page.items.map((e) => e.id)).toEqual([entry.id]);
    expect(page.total).toBe(1);
    expect((await listExclusions(db, { search: '+39 347 777 0001' })).total).toBe(1);
    expect((await listExclusions(db, { search: '99999999' })).total).toBe(0);
    const paged = await listExclusions(db, { pageSize: 2, page: 1 });
    expect(paged.items).toHaveLength(2);
    expect(paged.total).toBeGreaterThan(2);

    const removed = await removeExclusion(db, entry.id);
    expect(removed.id).toBe(entry.id);
    expect(await stateOf(contact.id)).toBe('excluded');
    await expect(removeExclusion(db, entry.id)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(removeExclusion(db, 'x')).rejects.toBeInstanceOf(DomainError);

    // Something that slipped past: a listed number inserted directly, a do_not_call flag.
    const slipped = await createContact(db, c.id, { phone_number: '+393477770002' });
    const flagged = await createContact(db, c.id, { phone_number: '+393477770003', do_not_call: true, state: 'not_reached' });
    const live = await createContact(db, c.id, { phone_number: '+393477770004', state: 'in_progress' });
    await db.insertInto('exclusion_list_entries').values([{ phone_number: '+393477770002' }, { phone_number: '+393477770004' }]).execute();
    expect(await recheckExclusions(db)).toBe(2);
    expect(await stateOf(slipped.id)).toBe('excluded');
    expect(await stateOf(flagged.id)).toBe('excluded');
    expect(await stateOf(live.id)).toBe('in_progress');
    expect(await recheckExclusions(db)).toBe(0);
  });
});

describe('reincludeContact', () => {
  it('re-includes only an excluded contact whose number is no longer listed and not flagged', async () => {
    const { reincludeContact } = await import('../contacts/reinclude-contact.js');
    const c = await createCampaign(db);
    const contact = await createContact(db, c.id, { phone_number: '+393478810001' });
    const { entry } = await addExclusion(db, { phoneNumber: '+393478810001' });
    await expect(reincludeContact(db, contact.id)).rejects.toMatchObject({ code: 'contact.still_excluded', kind: 'conflict' });
    await removeExclusion(db, entry.id);
    expect(await stateOf(contact.id)).toBe('excluded');
    expect((await reincludeContact(db, contact.id)).state).toBe('pending');
    await expect(reincludeContact(db, contact.id)).rejects.toMatchObject({ code: 'contact.not_excluded' });
    const flagged = await createContact(db, c.id, { phone_number: '+393478810002', do_not_call: true, state: 'excluded' });
    await expect(reincludeContact(db, flagged.id)).rejects.toMatchObject({ code: 'contact.do_not_call' });
    await expect(reincludeContact(db, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('refuses a contact with no attempt left under its campaign\'s current limit (it could never be dialled)', async () => {
    const { reincludeContact } = await import('../contacts/reinclude-contact.js');
    const c = await createCampaign(db, { max_attempts: 2 });
    const used = await createContact(db, c.id, { phone_number: '+393478810003', state: 'excluded', attempts_count: 2 });
    await expect(reincludeContact(db, used.id)).rejects.toMatchObject({ code: 'contact.no_attempts_left', kind: 'conflict', details: { attempts: 2, max_attempts: 2 } });
    expect(await stateOf(used.id)).toBe('excluded');
    await db.updateTable('campaigns').set({ max_attempts: 3 }).where('id', '=', c.id).execute();
    expect((await reincludeContact(db, used.id)).state).toBe('pending');
  });
});
