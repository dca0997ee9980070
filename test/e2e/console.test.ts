/**
 * The console in a real browser (Debian's Chromium via playwright-core) against
 * the real server, database and built-in development identity provider.
 * Screenshots of every visited screen at desktop (1280 px) and tablet (820 px)
 * widths go to artifacts/screenshots/ (a CI artifact).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { chromiumAvailable, launchBrowser } from '../support/browser.js';
import { capture, type DemoUser, signIn as signInAs, startConsoleApp } from '../support/console-browser.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';

const run = chromiumAvailable();

let t: TestDatabase;
let app: App;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!run) return;
  t = await freshDatabase();
  ({ app, base } = await startConsoleApp(t));
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

const signIn = (who: DemoUser, locale: 'en' | 'it' = 'en'): Promise<Page> => signInAs(browser, base, who, locale);

describe.runIf(run)('console in a real browser', () => {
  it('a campaign manager signs in, creates a campaign and sees what blocks activation', async () => {
    const page = await signIn('demo-manager');
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await capture(page, 'campaigns');

    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Browser-made survey');
    await page.getByLabel(/Introduction script/).fill('Hello, this is the automated assistant of Example Ltd. Three questions, two minutes.');
    await page.getByLabel('Question 1', { exact: true }).fill('From 1 to 10, how satisfied are you?');
    await page.getByLabel('Question 2', { exact: true }).fill('How many times did you call us?');
    await page.getByLabel('Question 3', { exact: true }).fill('What should we improve?');
    // The spoken script preview follows the form.
    await expect.poll(() => page.locator('.preview').textContent()).toContain('how satisfied are you');
    await capture(page, 'campaign-form');

    // Inline validation is the server's: a window that ends before it starts is refused on activation, attempts out of range here.
    await page.getByLabel('Attempts per contact (1–5)').fill('9');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#err-retry_policy\\.max_attempts').textContent()).toContain('between 1 and 5');
    await page.getByLabel('Attempts per contact (1–5)').fill('3');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
    await page.getByText('Draft').first().waitFor();

    await page.getByRole('button', { name: 'Activate' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Upload at least one contact');
    await capture(page, 'campaign-detail');

    const id = page.url().split('/').pop()!;
    // Upload contacts with some bad rows; the report names each with its line.
    const csv = ['phone_number,external_contact_id,email,colour', '347 123 4567,A1,a1@example.org,red', 'not-a-number,A2,,blue', '0039 347 1234568,A3,broken-email,green', '347 123 4567,A4,,dup'].join('\n');
    await page.locator('input[type=file]').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const report = page.locator('.report');
    await report.waitFor();
    await expect.poll(() => report.textContent()).toContain('4 rows: 1 accepted, 2 rejected, 1 duplicates, 0 excluded');
    const rows = await page.locator('.report tbody tr').allTextContents();
    expect(rows.some((r) => r.startsWith('3phone_number'))).toBe(true);
    expect(rows.some((r) => r.startsWith('4email'))).toBe(true);
    await page.getByText('Ignored columns: colour').waitFor();
    await capture(page, 'contacts-upload');
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByText('Running').first().waitFor();
    expect((await t.db.selectFrom('campaigns').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('running');
    await page.context().close();
  }, 120_000);

  it('a viewer sees campaigns but is offered no changes and no admin', async () => {
    const page = await signIn('demo-viewer');
    await expect(page.getByRole('link', { name: 'New campaign' }).count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'API' }).count()).resolves.toBe(0);
    await page.context().close();
  }, 60_000);

  it('the Italian interface renders the same journey', async () => {
    const page = await signIn('demo-admin', 'it');
    await page.getByRole('heading', { name: 'Campagne' }).waitFor();
    await page.getByRole('link', { name: 'Nuova campagna' }).click();
    await page.getByRole('heading', { name: 'Nuova campagna' }).waitFor();
    await capture(page, 'campaign-form-it');
    await page.context().close();
  }, 60_000);
});
