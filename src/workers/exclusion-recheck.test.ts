import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { freshDatabase, type TestDatabase } from '../../test/support/db.js';
import { createCampaign, createContact } from '../../test/support/factories.js';

const log = createLogger({ level: 'silent' });
let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t.close());

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

describe('exclusion re-check worker', () => {
  it('the scheduler role re-checks on its interval: a listed number that slipped in is excluded, a live call is left alone', async () => {
    const c = await createCampaign(t.db);
    const slipped = await createContact(t.db, c.id, { phone_number: '+393478880001' });
    const live = await createContact(t.db, c.id, { phone_number: '+393478880002', state: 'in_progress' });
    const clean = await createContact(t.db, c.id, { phone_number: '+393478880003' });
    const env: Record<string, string> = { PORT: '0', TELEPHONY_PROVIDER: 'simulator', SIMULATOR_FAST: 'true', EXCLUSION_RECHECK_INTERVAL_MS: '50' };
    if (t.url) env.DATABASE_URL = t.url;
    const app = await buildApp(loadConfig(env), log, { role: 'scheduler', database: t, web: false });
    await app.start();
    try {
      const state = async (id: string) => (await t.db.selectFrom('contacts').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;
      // Inserted straight into the table after start, bypassing addExclusion's own contact update.
      await t.db.insertInto('exclusion_list_entries').values([{ phone_number: '+393478880001' }, { phone_number: '+393478880002' }]).execute();
      expect(await waitFor(async () => (await state(slipped.id)) === 'excluded', 5_000)).toBe(true);
      expect(await state(live.id)).toBe('in_progress');
      expect(await state(clean.id)).toBe('pending');
    } finally {
      await app.stop();
    }
  });

  it('0 turns it off; a bad value names the variable', () => {
    expect(loadConfig({ EXCLUSION_RECHECK_INTERVAL_MS: '0' }).calling.exclusionRecheckIntervalMs).toBe(0);
    expect(() => loadConfig({ EXCLUSION_RECHECK_INTERVAL_MS: 'soon' })).toThrow(/EXCLUSION_RECHECK_INTERVAL_MS/);
  });
});
