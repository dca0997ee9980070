import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/support/db.js';
import { createOutcomeEvent } from '../../../test/support/event-factories.js';
import { createCampaign } from '../../../test/support/factories.js';
import { seedDatabase } from '../../db/seed.js';
import { useDemoEmailTemplates } from './demo.js';
import { createNotificationsForEvents } from './notifications.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t.close());

describe('demo email templates', () => {
  it('points a campaign at the demo templates; an Italian contact gets the Italian translation', async () => {
    const campaign = await createCampaign(t.db, { language: 'en' });
    await useDemoEmailTemplates(t.db, campaign.id);
    await useDemoEmailTemplates(t.db, campaign.id); // idempotent
    expect(await t.db.selectFrom('email_templates').select('id').execute()).toHaveLength(6);
    await createOutcomeEvent(t.db, campaign.id, { preferredLanguage: 'it' });
    await createOutcomeEvent(t.db, campaign.id, { type: 'survey.not_reached', preferredLanguage: 'en' });
    await t.db.transaction().execute((trx) => createNotificationsForEvents(trx, { now: new Date(), limit: 10 }));
    const rows = await t.db.selectFrom('email_notifications').select(['template_id', 'locale', 'locale_note']).orderBy('locale').execute();
    expect(rows).toEqual([
      { template_id: 'b0000000-0000-4000-8000-000000000005', locale: 'en', locale_note: null },
      { template_id: 'b0000000-0000-4000-8000-000000000002', locale: 'it', locale_note: null },
    ]);
  });

  it('the demo seed marks the seeded pairs as translations', async () => {
    await seedDatabase(t.db);
    const keys = await t.db.selectFrom('email_templates').select(['id', 'translation_key']).orderBy('id').execute();
    expect(keys.every((k) => k.translation_key?.startsWith('demo-'))).toBe(true);
  });
});
