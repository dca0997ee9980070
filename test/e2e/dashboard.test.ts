/**
 * The campaign dashboard and call detail in a real browser (Debian's Chromium
 * via playwright-core) against the real server, on a campaign the built-in
 * telephony simulator (fast mode) has just run end to end: tiles, AAPOR rates,
 * funnel, charts, live updates, the export job and its download, a call's
 * turns; what a viewer may not see; axe; screenshots at 1280 and 820 px in
 * artifacts/screenshots/.
 */
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { runSimulation } from '../../src/cli/simulate.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { chromiumAvailable, launchBrowser } from '../support/browser.js';
import { capture, type DemoUser, signIn as signInAs, startConsoleApp } from '../support/console-browser.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';

const run = chromiumAvailable();
const log = createLogger({ level: 'silent' });

let t: TestDatabase;
let app: App;
let base: string;
let browser: Browser;
let campaignId: string;
let contacts: number;
/** A completed contact's last call, with its dialogue. */
let callId: string;

beforeAll(async () => {
  if (!run) return;
  t = await freshDatabase();
  const env: Record<string, string> = { LOG_LEVEL: 'silent' };
  if (t.url) env.DATABASE_URL = t.url;
  // Real calls through the simulator: completed, refused and unreachable contacts, turns, answers.
  // (Whether the simulator's campaign ends in time is simulate.test.ts's business; here it only has to leave call data.)
  const sim = await runSimulation(loadConfig(env), log, t, { contacts: 14, mix: 'default', seed: 4, fast: true, cps: 25, maxConcurrent: 4, maxAttempts: 2, timeoutMs: 40_000 });
  campaignId = sim.campaignId;
  contacts = sim.contacts;
  // Frozen for the test: nothing dials while the browser reads the figures.
  if (sim.campaignStatus !== 'completed') await t.db.updateTable('campaigns').set({ status: 'paused' }).where('id', '=', campaignId).execute();
  const call = await t.db.selectFrom('call_attempts as a')
    .innerJoin('contacts as c', 'c.id', 'a.contact_id')
    .select(['a.call_id'])
    .where('a.campaign_id', '=', campaignId).where('c.state', '=', 'completed').where('a.outcome', '=', 'completed')
    .where((eb) => eb.exists(eb.selectFrom('dialogue_turns as d').select('d.id').whereRef('d.call_attempt_id', '=', 'a.id').where('d.stage', '=', 'q1')))
    .limit(1).executeTakeFirstOrThrow();
  callId = call.call_id;
  ({ app, base } = await startConsoleApp(t, { env: { STATS_CACHE_TTL_SECONDS: '2' } }));
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

const signIn = (who: DemoUser, locale: 'en' | 'it' = 'en'): Promise<Page> => signInAs(browser, base, who, locale);

/** No phone number (nor its national digits) and no email of the campaign's contacts in the address bar. */
async function expectCleanUrl(page: Page): Promise<void> {
  const url = decodeURIComponent(page.url());
  expect(url).not.toContain('@');
  const rows = await t.db.selectFrom('contacts').select(['phone_number', 'email']).where('campaign_id', '=', campaignId).execute();
  for (const r of rows) {
    expect(url).not.toContain(r.phone_number.slice(3));
    if (r.email) expect(url).not.toContain(r.email);
  }
}

const stats = async () => (await app.reporting.stats.campaignStats(t.db, campaignId));

describe.runIf(run)('campaign dashboard and call detail in a real browser', () => {
  it('a campaign manager sees tiles, rates, funnel and charts, live; exports and downloads the CSV; opens a call and reads its turns', async () => {
    const page = await signIn('demo-manager');
    await page.goto(`${base}/campaigns/${campaignId}`);
    const tiles = page.getByRole('list', { name: 'Key figures' });
    await tiles.waitFor();
    const s = await stats();
    expect(s.contacts.total).toBe(contacts);
    // Tiles: value and share of the total.
    const tile = (label: string) => tiles.locator('li', { has: page.locator('.tile-label', { hasText: new RegExp(`^${label}$`) }) });
    await expect.poll(() => tile('Contacts').locator('.tile-value').textContent()).toBe(String(contacts));
    await expect.poll(() => tile('Completed').locator('.tile-value').textContent()).toBe(String(s.totals.completed));
    expect(s.totals.completed).toBeGreaterThan(0);
    await expect.poll(() => tile('Completed').locator('.tile-pct').textContent()).toMatch(/% of total$/);
    for (const label of ['Refused', 'Not reached', 'Awaiting retry', 'Excluded']) await expect(tile(label).count()).resolves.toBe(1);
    // AAPOR rates, each with its plain-language line.
    for (const r of ['RR1', 'RR2', 'COOP1', 'REF1', 'CON1']) await expect(page.locator('.rate dt', { hasText: r }).count()).resolves.toBe(1);
    await page.getByText('Completed surveys out of the people we actually spoke to.').waitFor();
    const rr1 = s.aapor.rates.RR1!;
    await expect.poll(() => page.locator('.rate', { has: page.locator('dt', { hasText: /^RR1$/ }) }).locator('.rate-value').textContent()).toBe(new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(rr1));
    // Funnel from dialled to completed.
    const funnel = await page.locator('.funnel li').allTextContents();
    expect(funnel).toHaveLength(7);
    expect(funnel[0]).toContain(`Dialled${s.funnel.dialled}`);
    expect(funnel[6]).toContain(`Completed${s.funnel.completed}`);
    // Calls over time: a chart, labelled, with its table.
    const chart = page.getByRole('img', { name: /Chart of attempts, answered calls and completed surveys/ });
    await chart.locator('svg.recharts-surface').first().waitFor();
    await page.getByText('Show the figures as a table').first().click();
    const rows = await page.locator('table', { has: page.locator('caption', { hasText: 'Calls over time' }) }).locator('tbody tr').count();
    expect(rows).toBe(s.series.hourly.length);
    await page.getByRole('radio', { name: 'Per day' }).check();
    await expect(page.locator('table', { has: page.locator('caption', { hasText: 'Calls over time' }) }).locator('tbody tr').count()).resolves.toBe(s.series.daily.length);
    // Answers: histograms for the scale and numeric questions, counts for free text.
    await page.getByRole('img', { name: /Bar chart of the answers to question 1/ }).locator('svg.recharts-surface').waitFor();
    const freeText = s.questions[2]!;
    expect(freeText.type).toBe('free_text');
    if (freeText.responses > 0) await expect(page.locator('table caption', { hasText: 'Most frequent answers' }).count()).resolves.toBe(1);
    else await expect(page.getByText('No answers yet.').count()).resolves.toBeGreaterThan(0);
    // Live: the event stream is connected.
    await page.locator('.live-live').waitFor({ timeout: 15_000 });
    await capture(page, 'dashboard');

    // Export: a job, its progress, then the download link.
    await page.getByRole('button', { name: 'Export results (CSV)' }).click();
    const link = page.getByRole('link', { name: 'Download the CSV file' });
    await link.waitFor({ timeout: 30_000 });
    await page.getByText(`Ready: ${contacts} rows.`).waitFor();
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/api\/exports\/[0-9a-f-]{36}\/download\?expires=\d+&signature=/);
    const download = await page.request.get(`${base}${href}`);
    expect(download.status()).toBe(200);
    const csv = (await download.text()).replace(/^\uFEFF/, '');
    const exported = parse(csv, { columns: true, delimiter: ',' }) as Record<string, string>[];
    expect(exported).toHaveLength(contacts);
    expect(exported.filter((r) => r.state === 'completed')).toHaveLength(s.totals.completed);
    await capture(page, 'dashboard-export');

    // Contacts: filter by outcome, open a contact's calls, then a call.
    await page.getByLabel('Last outcome').selectOption('completed');
    const showCalls = page.getByRole('button', { name: /Show calls/ });
    await showCalls.first().waitFor();
    expect(await page.locator('table', { has: page.locator('th', { hasText: 'Phone' }) }).locator('tbody > tr:not(.attempts-row)').count()).toBe(s.contacts.byLastOutcome.completed);
    // Searching by digits stays in the page, not in the address.
    await page.getByLabel('External id or last digits').fill('0000');
    await page.waitForTimeout(300);
    expect(page.url()).toBe(`${base}/campaigns/${campaignId}`);
    await page.getByLabel('External id or last digits').fill('');
    await showCalls.first().click();
    await page.locator('.attempts-row table').waitFor();
    await capture(page, 'dashboard-contact-calls');
    await page.locator('.attempts-row').getByRole('link', { name: /Open call/ }).last().click();
    await page.waitForURL(/\/calls\/[0-9a-f-]{36}$/);
    await expectCleanUrl(page);
    await page.getByRole('heading', { name: 'Conversation, turn by turn' }).waitFor();
    const turns = page.locator('.turn');
    expect(await turns.count()).toBeGreaterThanOrEqual(4);
    await expect(page.locator('.turn h3').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('question 1')]));
    await expect.poll(() => page.locator('.turn .understood').first().textContent()).toMatch(/confidence \d+/);
    await expect.poll(() => page.locator('.turn .took').first().textContent()).toMatch(/We took \d+ ms/);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByRole('heading', { name: 'Transcript (personal data removed)' }).waitFor();
    await capture(page, 'call-detail');
    await page.context().close();
  }, 180_000);

  it('a call detail page shows the turns of a known call; an unknown call is a clear not-found state', async () => {
    const page = await signIn('demo-admin');
    await page.goto(`${base}/calls/${callId}`);
    await page.getByRole('heading', { name: /Call, attempt \d/ }).waitFor();
    const steps = await page.locator('.turn h3').allTextContents();
    expect(steps.some((x) => x.includes('consent'))).toBe(true);
    expect(steps.some((x) => x.includes('question 1'))).toBe(true);
    await expect.poll(() => page.locator('.turn .heard').first().textContent()).toMatch(/“.+”|\(silence\)/);
    await page.goto(`${base}/calls/00000000-0000-4000-8000-000000000000`);
    await page.getByRole('heading', { name: /There is no such call/ }).waitFor();
    await capture(page, 'call-not-found');
    await page.context().close();
  }, 60_000);

  it('a viewer sees the dashboard but no export, no calls and no transcripts; numbers are masked', async () => {
    const page = await signIn('demo-viewer');
    // Without the event stream (a proxy that drops it, say) the dashboard falls back to polling.
    await page.route('**/stats/stream', (route) => route.abort());
    await page.goto(`${base}/campaigns/${campaignId}`);
    await page.getByRole('list', { name: 'Key figures' }).waitFor();
    await page.locator('.live-polling', { hasText: 'Refreshing every 30 s' }).waitFor();
    await page.getByRole('img', { name: /Chart of attempts/ }).waitFor();
    await expect(page.getByRole('button', { name: 'Export results (CSV)' }).count()).resolves.toBe(0);
    await expect(page.getByRole('heading', { name: 'Export' }).count()).resolves.toBe(0);
    await page.locator('.table-scroll tbody tr').first().waitFor();
    await expect(page.getByRole('button', { name: /Show calls/ }).count()).resolves.toBe(0);
    const phones = await page.locator('.table-scroll tbody tr td:first-child').allTextContents();
    expect(phones.length).toBeGreaterThan(0);
    for (const p of phones) expect(p).toMatch(/\*{3,}/);
    await capture(page, 'dashboard-viewer');
    // Straight to a call: refused, and nothing of the conversation on the page.
    await page.goto(`${base}/calls/${callId}`);
    await page.getByRole('heading', { name: 'Your role cannot open call details or transcripts.' }).waitFor();
    await expect(page.locator('.turn').count()).resolves.toBe(0);
    await expect(page.getByRole('heading', { name: 'Transcript (personal data removed)' }).count()).resolves.toBe(0);
    await expect(page.locator('.transcript').count()).resolves.toBe(0);
    await capture(page, 'call-viewer-refused');
    await page.context().close();
  }, 90_000);

  it('the Italian dashboard renders the same figures', async () => {
    const page = await signIn('demo-manager', 'it');
    await page.goto(`${base}/campaigns/${campaignId}`);
    await page.getByRole('list', { name: 'Dati principali' }).waitFor();
    await page.getByRole('heading', { name: 'Tassi di risposta (AAPOR)' }).waitFor();
    await page.getByText('Quota di contatti in cui abbiamo raggiunto una persona.').waitFor();
    await page.getByRole('img', { name: /Grafico di tentativi/ }).waitFor();
    await capture(page, 'dashboard-it');
    await page.goto(`${base}/calls/${callId}`);
    await page.getByRole('heading', { name: 'La conversazione, turno per turno' }).waitFor();
    await capture(page, 'call-detail-it');
    await page.context().close();
  }, 90_000);
});
