/**
 * Journeys 1 and 4 of the console, each in one browser session against the real
 * server with every role running (API, scheduler, workers) and the built-in
 * telephony simulator in fast mode: a campaign manager signs in, creates a
 * campaign, uploads contacts with bad rows and reads the report, tries the test
 * call, activates, watches the dashboard reach completed surveys, exports and
 * checks the downloaded rows, and opens a call to read its turns. The Italian
 * interface runs the same journey, with every label taken from the console's
 * own Italian messages.
 */
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import * as core from '../../web/src/i18n/core.js';
import * as dashboard from '../../web/src/i18n/dashboard.js';
import * as testcall from '../../web/src/i18n/testcall.js';
import { chromiumAvailable, launchBrowser } from '../support/browser.js';
import { capture, signIn, startConsoleApp } from '../support/console-browser.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { createTemplate } from '../support/factories.js';

const run = chromiumAvailable();
const messages = { en: { ...core.en, ...dashboard.en, ...testcall.en }, it: { ...core.it, ...dashboard.it, ...testcall.it } };
type Key = keyof (typeof messages)['en'];
type Locale = keyof typeof messages;

let t: TestDatabase;
let app: App;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!run) return;
  t = await freshDatabase();
  await createTemplate(t.db, { name: 'Thank you note', type: 'completed', locale: 'en' });
  await createTemplate(t.db, { name: 'Sorry to bother', type: 'refused', locale: 'en' });
  ({ app, base } = await startConsoleApp(t, {
    role: 'all',
    env: {
      SIMULATOR_FAST: 'true',
      SIMULATOR_MIX: 'all_complete',
      SIMULATOR_CPS: '0',
      SCHEDULER_TICK_MS: '200',
      CALLING_CPS: '20',
      CALLING_SLOT_COOLDOWN_MS: '0',
      CALLING_WINDOW_GUARD_MINUTES: '0',
      STATS_CACHE_TTL_SECONDS: '1',
    },
  }));
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

/** Numbers unique per journey, so the two journeys never share a contact. */
const csvFor = (prefix: string) =>
  [
    'phone_number,external_contact_id,email,has_prior_consent,colour',
    `347 ${prefix}1 0001,J1,j1@example.org,yes,red`,
    `347 ${prefix}1 0002,J2,,yes,blue`,
    'not-a-number,J3,,yes,green',
    `347 ${prefix}1 0003,J4,broken-email,yes,white`,
    `347 ${prefix}1 0004,J5,j5@example.org,yes,black`,
    `347 ${prefix}1 0001,J6,,yes,dup`,
  ].join('\n');

async function journey(page: Page, locale: Locale, prefix: string): Promise<void> {
  const L = (key: Key, vars: Record<string, string | number> = {}) => messages[locale][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k]));
  const shot = (name: string) => capture(page, `journey-${locale}-${name}`);

  // 1. Create a campaign that may call at any hour (the test runs whenever CI does).
  await page.getByRole('link', { name: L('campaigns.new') }).click();
  await page.getByLabel(L('form.name'), { exact: true }).fill(`Journey ${locale}`);
  await page.getByLabel(L('form.intro')).fill('Hello, this is the automated assistant of Example Ltd calling about your recent visit. Three questions, two minutes.');
  await page.getByLabel(L('form.question', { n: 1 }), { exact: true }).fill('From 1 to 10, how satisfied are you?');
  await page.getByLabel(L('form.question', { n: 2 }), { exact: true }).fill('How many times did you visit us?');
  await page.getByLabel(L('form.question', { n: 3 }), { exact: true }).fill('What should we improve?');
  await page.getByLabel(L('form.windowStart'), { exact: true }).fill('00:00');
  await page.getByLabel(L('form.windowEnd'), { exact: true }).fill('23:59');
  await page.getByLabel(L('day.7'), { exact: true }).check();
  // A follow-up email per outcome: only templates of that outcome are offered.
  const afterCompleted = page.getByLabel(L('form.email.completed'));
  await expect.poll(() => afterCompleted.locator('option').allTextContents()).toEqual([L('form.email.none'), 'Thank you note (en)']);
  await afterCompleted.selectOption({ label: 'Thank you note (en)' });
  await page.getByRole('button', { name: L('common.save') }).click();
  await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
  const campaignId = page.url().split('/').pop()!;
  const saved = await t.db.selectFrom('campaigns').select(['email_completed_template_id', 'email_refused_template_id']).where('id', '=', campaignId).executeTakeFirstOrThrow();
  expect(saved.email_completed_template_id).not.toBeNull();
  expect(saved.email_refused_template_id).toBeNull();

  // 2. Upload contacts with bad rows: the report names each with its line.
  await page.locator('input[type=file]').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csvFor(prefix)) });
  const report = page.locator('.report');
  await report.waitFor();
  await expect.poll(() => report.textContent()).toContain(L('contacts.report', { total: 6, accepted: 3, rejected: 2, duplicates: 1, excluded: 0 }));
  const rejected = await page.locator('.report tbody tr').allTextContents();
  expect(rejected.some((r) => r.startsWith('4phone_number'))).toBe(true);
  expect(rejected.some((r) => r.startsWith('5email'))).toBe(true);
  await shot('upload');

  // 3. The test call: the real dialogue, typed answers, nothing stored.
  await page.getByRole('button', { name: L('testcall.start') }).click();
  const say = async (text: string) => {
    // The answer box takes the focus once the agent's reply is on screen.
    const answer = page.getByLabel(L('testcall.answer'));
    await expect.poll(() => answer.evaluate((el) => el === (globalThis as { document?: { activeElement: unknown } }).document?.activeElement)).toBe(true);
    const before = await page.locator('.chat li.agent').count();
    await answer.fill(text);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.chat li.agent').count()).toBe(before + 1);
  };
  // The campaign speaks English (the form's default language); only the interface changes.
  await say('yes, go ahead');
  await say('eight');
  await say('three times');
  await say('shorter waiting times');
  await page.getByText(L('testcall.ended', { outcome: L('testcall.outcome.completed') })).waitFor();
  await shot('test-call');
  expect(Number((await t.db.selectFrom('survey_responses').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow()).n)).toBe(0);

  // 4. Activate, then watch the dashboard reach completed surveys (live).
  await page.getByRole('button', { name: L('detail.activate') }).click();
  await page.getByText(L('status.running')).first().waitFor();
  const tiles = page.getByRole('list', { name: L('dash.tiles') });
  const completedTile = tiles.locator('li', { has: page.locator('.tile-label', { hasText: new RegExp(`^${L('dash.tile.completed')}$`) }) }).locator('.tile-value');
  await expect.poll(async () => Number(await completedTile.textContent()), { timeout: 90_000, interval: 500 }).toBeGreaterThanOrEqual(2);
  // The contacts table follows the live figures without a reload.
  const contactRows = page.locator('tbody > tr:not(.attempts-row)', { has: page.locator('td', { hasText: new RegExp(`^${L('detail.tiles.completed')}$`) }) });
  await expect.poll(() => contactRows.count(), { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(2);
  await shot('dashboard');

  // 5. Export: job progress, then the download; its rows are the campaign's contacts.
  await page.getByRole('button', { name: L('dash.export.start') }).click();
  const link = page.getByRole('link', { name: L('dash.export.download') });
  await link.waitFor({ timeout: 60_000 });
  const download = await page.request.get(`${base}${(await link.getAttribute('href'))!}`);
  expect(download.status()).toBe(200);
  const rows = parse((await download.text()).replace(/^\uFEFF/, ''), { columns: true, delimiter: [',', ';'] }) as Record<string, string>[];
  expect(rows).toHaveLength(3);
  const completedInDb = await t.db.selectFrom('contacts').select('external_contact_id').where('campaign_id', '=', campaignId).where('state', '=', 'completed').execute();
  // The export was taken after the dashboard showed completions: at least those rows say completed, with their answers.
  const exportedCompleted = rows.filter((r) => r.state === 'completed');
  expect(exportedCompleted.length).toBeGreaterThanOrEqual(2);
  for (const r of exportedCompleted) {
    expect(completedInDb.map((c) => c.external_contact_id)).toContain(r.external_contact_id);
    expect(r.q1_answer).not.toBe('');
  }
  expect(rows.map((r) => r.external_contact_id).sort()).toEqual(['J1', 'J2', 'J5']);

  // 6. A completed contact's call, turn by turn.
  await page.getByRole('button', { name: new RegExp(L('contacts.showCalls')) }).first().waitFor();
  const completedRow = page.locator('tbody > tr:not(.attempts-row)', { hasText: exportedCompleted[0]!.external_contact_id! });
  await completedRow.getByRole('button', { name: new RegExp(L('contacts.showCalls')) }).click();
  await page.locator('.attempts-row table').waitFor();
  await page.locator('.attempts-row').getByRole('link').last().click();
  await page.waitForURL(/\/calls\/[0-9a-f-]{36}$/);
  await page.getByRole('heading', { name: L('call.turns') }).waitFor();
  expect(await page.locator('.turn').count()).toBeGreaterThanOrEqual(4);
  await shot('call');
}

describe.runIf(run)('whole journeys in a real browser', () => {
  it('journey 1: a campaign manager goes from an empty workspace to completed surveys, an export and a call’s turns', async () => {
    const page = await signIn(browser, base, 'demo-manager');
    await journey(page, 'en', '55');
    await page.context().close();
  }, 300_000);

  it('journey 4: the Italian interface renders the same journey', async () => {
    const page = await signIn(browser, base, 'demo-manager', 'it');
    await journey(page, 'it', '66');
    await page.context().close();
  }, 300_000);
});
