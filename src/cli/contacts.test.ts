import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTarget } from '../../test/support/db.js';
import { runCli } from '../../test/support/cli.js';
import { openDatabase, type Database } from '../db/connect.js';

let target: Awaited<ReturnType<typeof freshTarget>>;
let dir: string;

/** Opens the CLI's database briefly (PGlite allows one process at a time). */
async function withTargetDb<T>(fn: (d: Database) => Promise<T>): Promise<T> {
  const d = target.env.DATABASE_URL
    ? await openDatabase({ engine: 'postgres', url: target.env.DATABASE_URL, poolMax: 2, migrateOnStart: false })
    : await openDatabase({ engine: 'pglite', dataDir: target.env.VSA_DATA_DIR! });
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}

beforeAll(async () => {
  target = await freshTarget();
  dir = mkdtempSync(join(tmpdir(), 'vsa-cli-contacts-'));
});
afterAll(async () => {
  await target.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('voicesurvey contacts / exclusions', () => {
  it('imports a file end to end: JSON report on stdout, rows stored, exclusions applied', async () => {
    const campaignId = await withTargetDb(async ({ db }) => {
      const c = await db.insertInto('campaigns').values({ name: 'cli' }).returning('id').executeTakeFirstOrThrow();
      return c.id;
    });
    const excl = join(dir, 'dnc.csv');
    writeFileSync(excl, 'phone_number\n347 100 0003\n');
    let r = await runCli(['exclusions', 'import', excl, '--json', '--list-name', 'RPO', '--list-date', '2026-11-01', '--reason', 'register'], target.env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ total_rows: 1, accepted: 1, rejected: 0, duplicates: 0, excluded: 0 });

    const file = join(dir, 'contacts.csv');
    writeFileSync(file, 'phone_number;email;notes\r\n347 100 0001;a@example.org;x\r\n0039 347 1000002;;\r\n3471000001;;\r\nnope;;\r\n347 100 0003;;\r\n');
    r = await runCli(['contacts', 'import', '--campaign', campaignId, file, '--json'], target.env);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      total_rows: 5,
      accepted: 3,
      rejected: 1,
      duplicates: 1,
      excluded: 1,
      unknown_columns: ['notes'],
      errors: [{ line: 5, field: 'phone_number', code: 'invalid_phone' }],
      errors_total: 1,
    });
    expect(r.stderr).toBe('');
    const rows = await withTargetDb(({ db }) =>
      db.selectFrom('contacts').select(['phone_number', 'state']).where('campaign_id', '=', campaignId).orderBy('phone_number').execute(),
    );
    expect(rows).toEqual([
      { phone_number: '+393471000001', state: 'pending' },
      { phone_number: '+393471000002', state: 'pending' },
      { phone_number: '+393471000003', state: 'excluded' },
    ]);

    // Human output.
    r = await runCli(['contacts', 'import', '--campaign', campaignId, file, '--delimiter', 'semicolon', '--encoding', 'utf-8'], target.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^imported: 5 rows — 0 accepted \(0 excluded\), 1 rejected, 4 duplicates/);
    expect(r.stdout).toMatch(/line 5: phone_number: .*\(invalid_phone\)/);

    // exclusions add excludes the pending contact at once.
    r = await runCli(['exclusions', 'add', '+39 347 100 0002', '--json'], target.env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: true, contacts_excluded: 1 });
  }, 120_000);

  it('a file that is not CSV fails with one line, exit code 1, and writes nothing', async () => {
    const campaignId = await withTargetDb(async ({ db }) => (await db.insertInto('campaigns').values({ name: 'cli2' }).returning('id').executeTakeFirstOrThrow()).id);
    const bin = join(dir, 'book.xlsx');
    writeFileSync(bin, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]));
    let r = await runCli(['contacts', 'import', '--campaign', campaignId, bin, '--json'], target.env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^voicesurvey: .*xlsx.*\(csv\.binary\)\n$/);

    r = await runCli(['contacts', 'import', '--campaign', campaignId, join(dir, 'missing.csv')], target.env);
    expect(r.code).toBe(64);
    r = await runCli(['contacts', 'import', '--campaign', campaignId, bin, '--delimiter', 'pipe'], target.env);
    expect(r.code).toBe(64);
    r = await runCli(['contacts', 'import', bin], target.env);
    expect(r.code).toBe(64);

    const count = await withTargetDb(({ db }) => db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow());
    expect(Number(count.n)).toBe(0);
  }, 120_000);
});
