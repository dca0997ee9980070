import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { freshDatabase, testEngine, type TestDatabase } from '../../test/support/db.js';
import { createCampaign, createContact } from '../../test/support/factories.js';

// The CLI opens the database itself: on PGlite that needs the data directory
// closed by this process, so the rows are written first and the handle closed.
let t: TestDatabase;
let env: Record<string, string>;
let campaignId: string;
let dir: string;
beforeAll(async () => {
  t = await freshDatabase();
  const c = await createCampaign(t.db);
  campaignId = c.id;
  await createContact(t.db, c.id, { external_contact_id: '@risky', email: 'x@example.org' });
  await createContact(t.db, c.id);
  env = testEngine() === 'postgres' ? { DATABASE_URL: t.url! } : { VSA_DATA_DIR: t.dataDir! };
  if (testEngine() === 'pglite') await t.db.destroy();
  dir = mkdtempSync(join(tmpdir(), 'vsa-cli-export-'));
});
afterAll(async () => {
  if (testEngine() === 'postgres') await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('voicesurvey export', () => {
  it('writes the campaign CSV with the chosen delimiter and BOM', async () => {
    const out = join(dir, 'c.csv');
    const r = await runCli(['export', '--campaign', campaignId, '--out', out, '--bom', '--delimiter', ';'], env);
    expect(r.stderr).toContain('exported 2 contacts');
    expect(r.code).toBe(0);
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(bytes.toString('utf8').slice(1), { columns: true, delimiter: ';' }) as Record<string, string>[];
    expect(rows.map((x) => x.external_contact_id).sort()).toEqual(['', "'@risky"]);
    expect(bytes.toString('utf8')).not.toContain('example.org');
  });

  it('fails with a clear message for an unknown campaign, leaving no file', async () => {
    const out = join(dir, 'missing.csv');
    const r = await runCli(['export', '--campaign', '00000000-0000-4000-8000-000000000000', '--out', out], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/campaign not found/);
    expect(() => readFileSync(out)).toThrow();
  });
});
