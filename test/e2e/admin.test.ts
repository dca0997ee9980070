/**
 * Exclusions, email templates and the admin screens in a real browser (Debian's
 * Chromium via playwright-core) against the real server and database. Every
 * screen is captured at 1280 and 820 px into artifacts/screenshots/ and checked
 * with axe-core (no critical or serious violations).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { createNotificationsForEvents } from '../../src/commands/email/notifications.js';
import { addExclusion } from '../../src/commands/exclusions/exclusions.js';
import { chromiumAvailable, launchBrowser } from '../support/browser.js';
import { capture, signIn, startConsoleApp } from '../support/console-browser.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { createOutcomeEvent } from '../support/event-factories.js';
import { createCampaign, createTemplate, createUser } from '../support/factories.js';

const run = chromiumAvailable();

let t: TestDatabase;
let app: App;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!run) return;
  t = await freshDatabase();
  // The API role: no background workers, so a retried email stays queued where the test can see it.
  ({ app, base } = await startConsoleApp(t, { role: 'api' }));
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const text = async (page: Page, selector: string) => (await page.locator(selector).first().textContent()) ?? '';

describe.runIf(run)('exclusions, templates and admin in a real browser', () => {
  it('an admin changes the LLM model in settings and sees the change in the audit log; manages roles and retries a failed email', async () => {
    const page = await signIn(browser, base, 'demo-admin');
    await mainNav(page).getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL(`${base}/admin/settings`);
    const llm = page.locator('form', { has: page.getByRole('heading', { name: 'Language model (LLM)' }) });
    await llm.waitFor();
    await capture(page, 'admin-settings');

    // The server's rules, inline next to the field; nothing is saved.
    await llm.getByLabel('Model', { exact: true }).fill('gpt-4o-mini');
    await llm.getByLabel(/^Timeout in milliseconds/).fill('5');
    await llm.getByRole('button', { name: 'Save Language model (LLM)' }).click();
    await expect(text(page, '#set-llm-timeout_ms-err')).resolves.toContain('from 100 to 120000');
    expect(await t.db.selectFrom('app_settings').select('section').where('section', '=', 'llm').executeTakeFirst()).toBeUndefined();

    // A secret is typed, saved and from then on only shown masked.
    await llm.getByLabel(/^Timeout in milliseconds/).fill('6000');
    await llm.getByLabel('API key', { exact: true }).fill('sk-e2e-secret-value-WXYZ');
    await llm.getByRole('button', { name: 'Save Language model (LLM)' }).click();
    await llm.getByText(/\(version 1\)/).waitFor();
    await llm.getByText('Set (••••WXYZ), stored encrypted.').waitFor();
    expect(await llm.getByLabel('API key', { exact: true }).inputValue()).toBe('');
    expect(await llm.getByLabel('Model', { exact: true }).inputValue()).toBe('gpt-4o-mini');
    expect(await page.content()).not.toContain('sk-e2e-secret-value');

    // Journey 3: the change is in the audit log, by whom, field by field.
    await page.getByRole('navigation', { name: 'Admin screens' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel(/^Action/).fill('config');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const entry = page.locator('table.audit tbody tr', { hasText: 'config.update' }).first();
    await entry.waitFor();
    const row = (await entry.textContent()) ?? '';
    expect(row).toContain('Ada Admin');
    expect(row).toContain('llm.model: — → gpt-4o-mini');
    expect(row).toContain('llm.timeout_ms: 8000 → 6000');
    expect(row).not.toContain('sk-e2e');
    await expect(page.locator('table.audit tbody tr').count()).resolves.toBe(1);
    await capture(page, 'admin-audit');
    // The API's own validation, inline: an empty time range.
    await page.getByLabel('From').fill('2030-01-02T00:00');
    await page.getByLabel('Before').fill('2030-01-01T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(text(page, '#audit-from-err')).resolves.toContain('must be before');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('table.audit tbody tr').first().waitFor();

    // Users and roles.
    const rita = await createUser(t.db, { name: 'Rita Reviewer', role: 'viewer' });
    await page.getByRole('link', { name: 'Users and roles' }).click();
    await page.getByLabel('Role of Rita Reviewer', { exact: true }).selectOption('campaign_manager');
    await capture(page, 'admin-users');
    await page.getByRole('button', { name: 'Change the role of Rita Reviewer' }).click();
    await page.getByText('Rita Reviewer is now: Campaign manager.').waitFor();
    expect((await t.db.selectFrom('users').select('role').where('id', '=', rita.id).executeTakeFirstOrThrow()).role).toBe('campaign_manager');
    // The last admin cannot demote themselves: the API's refusal is shown.
    await page.getByLabel('Role of Ada Admin', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Change the role of Ada Admin' }).click();
    await page.getByRole('alert').getByText(/only admin/).waitFor();

    // Failed emails, with the recipient masked, and retry.
    const tpl = await createTemplate(t.db, { type: 'completed' });
    const campaign = await createCampaign(t.db, { email_completed_template_id: tpl.id });
    await createOutcomeEvent(t.db, campaign.id, { email: 'failing.person@example.org' });
    await t.db.transaction().execute((trx) => createNotificationsForEvents(trx, { now: new Date(), limit: 100 }));
    await t.db.updateTable('email_notifications').set({ status: 'failed', attempts: 4, error_message: '550 mailbox unavailable' }).execute();
    await page.getByRole('link', { name: 'Failed emails' }).click();
    const failed = page.locator('tbody tr', { hasText: '550 mailbox unavailable' });
    await failed.waitFor();
    expect(await failed.textContent()).toContain('f***@example.org');
    expect(await page.content()).not.toContain('failing.person');
    await capture(page, 'admin-emails');
    await failed.getByRole('button', { name: /^Retry the email to/ }).click();
    await page.getByText(/is queued again/).waitFor();
    await page.getByText('No failed emails.').waitFor();
    expect((await t.db.selectFrom('email_notifications').select('status').executeTakeFirstOrThrow()).status).toBe('pending');
    await page.context().close();
  }, 180_000);

  it('exclusions: add, search, import with a bad row reported, remove (admin only, confirmed)', async () => {
    const page = await signIn(browser, base, 'demo-admin');
    // The list fails once (and its automatic retry): an error with "Try again".
    await page.route('**/api/exclusions?*', (route) => route.fulfill({ status: 500, contentType: 'application/problem+json', body: JSON.stringify({ code: 'internal', detail: 'Something went wrong on our side.' }) }), { times: 2 });
    await mainNav(page).getByRole('link', { name: 'Exclusions' }).click();
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByText('The list is empty.').waitFor();

    // Add one number; the server's validation shows inline.
    await page.getByLabel('Phone number').fill('nope');
    await page.getByRole('button', { name: 'Add to the list' }).click();
    await expect(text(page, '#excl-phone-err')).resolves.not.toBe('');
    await page.getByLabel('Phone number').fill('347 555 0101');
    await page.getByLabel('Reason (optional)').fill('asked on the phone');
    await page.getByRole('button', { name: 'Add to the list' }).click();
    await page.getByText('Added +393475550101. Contacts excluded in campaigns: 0.').waitFor();

    // Import a list with one bad row: the report names it; the full error file downloads.
    await page.getByLabel(/^List name/).fill('RPO');
    await page.getByLabel(/^List date/).fill('2026-11-01');
    const csv = 'phone_number,reason\n347 555 0102,\n347 555 0103,moved\nxx,\n';
    await page.locator('section', { has: page.getByRole('heading', { name: 'Import a list (CSV)' }) }).locator('input[type=file]').setInputFiles({ name: 'rpo.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const report = page.locator('.report');
    await report.waitFor();
    await expect.poll(() => report.textContent()).toContain('3 rows: 2 accepted, 1 rejected, 0 duplicates, 0 excluded.');
    expect(await page.locator('.report tbody tr').allTextContents()).toEqual([expect.stringMatching(/^4phone_number/)]);
    const href = await page.getByRole('link', { name: 'Download all 1 errors (CSV)' }).getAttribute('href');
    const errorsCsv = await page.request.get(`${base}${href}`);
    expect(await errorsCsv.text()).toMatch(/^line,field,code,message\n4,phone_number,invalid_phone,/);
    await page.getByText('3 entries').waitFor();
    await capture(page, 'exclusions');

    // Search by the last digits.
    await page.getByLabel('Last digits of the number').fill('0103');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 entries').waitFor();
    const listRows = page.getByRole('region', { name: 'The list' }).locator('tbody tr');
    expect(await listRows.allTextContents()).toEqual([expect.stringContaining('+393475550103')]);
    expect((await listRows.textContent()) ?? '').toContain('RPO · 2026-11-01');

    // Remove, after confirming.
    await page.getByLabel('Last digits of the number').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('3 entries').waitFor();
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Remove +393475550101 from the list' }).click();
    expect(dialogs[0]).toContain('Remove +393475550101');
    await expect(t.db.selectFrom('exclusion_list_entries').select('id').where('phone_number', '=', '+393475550101').execute()).resolves.toHaveLength(1);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Remove +393475550101 from the list' }).click();
    await page.getByText('Removed +393475550101 from the list. Contacts it excluded stay excluded.').waitFor();
    await page.getByText('2 entries').waitFor();
    await expect(t.db.selectFrom('exclusion_list_entries').select('id').where('phone_number', '=', '+393475550101').execute()).resolves.toHaveLength(0);
    await page.context().close();

    // A campaign manager may add and import, but is not offered removal.
    const manager = await signIn(browser, base, 'demo-manager');
    await mainNav(manager).getByRole('link', { name: 'Exclusions' }).click();
    await manager.getByText('2 entries').waitFor();
    await manager.getByRole('heading', { name: 'Add a number' }).waitFor();
    await expect(manager.getByRole('button', { name: /^Remove/ }).count()).resolves.toBe(0);
    await expect(mainNav(manager).getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0);
    await manager.context().close();
  }, 180_000);

  it('a template is created and edited with its live preview in English and Italian, in a sandboxed frame', async () => {
    const page = await signIn(browser, base, 'demo-manager');
    await mainNav(page).getByRole('link', { name: 'Email templates' }).click();
    await page.getByRole('heading', { name: 'Email templates' }).waitFor();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByLabel('Name', { exact: true }).fill('After the survey');
    await page.getByLabel('Subject', { exact: true }).fill('Thank you from {{organization_name}}');
    await page.getByLabel('HTML body').fill('<p>Thanks for taking part in <b>{{campaign_name}}</b>.</p><script>document.body.setAttribute("data-ran", "yes")</script>');
    await page.getByLabel('Plain-text body').fill('Thanks for taking part in {{campaign_name}}.');

    const enFrame = page.frameLocator('iframe[title="HTML preview in English"]');
    const itFrame = page.frameLocator('iframe[title="HTML preview in Italian"]');
    await enFrame.getByText('Customer satisfaction 2026').waitFor();
    await itFrame.getByText('Soddisfazione clienti 2026').waitFor();
    const en = page.locator('section', { has: page.getByRole('heading', { name: /^Preview in English/ }) });
    const it = page.locator('section', { has: page.getByRole('heading', { name: /^Preview in Italian/ }) });
    await en.getByText('Thank you from Example Energy Ltd').waitFor();
    await it.getByText('Thank you from Esempio Energia S.p.A.').waitFor();
    // No scripts and no same origin in the preview.
    await expect(page.locator('iframe.preview-frame').first().getAttribute('sandbox')).resolves.toBe('');
    await expect(enFrame.locator('body').getAttribute('data-ran')).resolves.toBeNull();

    await page.getByRole('button', { name: 'Save template' }).click();
    await page.waitForURL(/\/templates\/[0-9a-f-]{36}$/);
    await page.getByText('Saved.').waitFor();
    const id = page.url().split('/').pop()!;

    // A syntax error shows at its field while typing (the preview endpoint's check); fixing it brings the preview back.
    await page.getByLabel('Subject', { exact: true }).fill('Thanks, {{#campaign_name}}');
    await expect.poll(() => page.locator('#tpl-subject-err').textContent()).toMatch(/campaign_name/);
    await page.getByLabel('Subject', { exact: true }).fill('Thanks for {{campaign_name}}');
    await en.getByText('Thanks for Customer satisfaction 2026').waitFor();
    await it.getByText('Thanks for Soddisfazione clienti 2026').waitFor();
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByText('Saved.').waitFor();
    expect((await t.db.selectFrom('email_templates').select('subject').where('id', '=', id).executeTakeFirstOrThrow()).subject).toBe('Thanks for {{campaign_name}}');
    await capture(page, 'template-editor');

    // The Italian version of the same email: prefilled, saved, then linked both ways; then deleted.
    await page.getByRole('button', { name: 'Create the Italian version' }).click();
    await page.waitForURL(`${base}/templates/new`);
    await expect.poll(() => page.getByLabel('Language of this version').inputValue()).toBe('it');
    await page.getByLabel('Subject', { exact: true }).fill('Grazie da {{organization_name}}');
    await it.getByText('Grazie da Esempio Energia S.p.A.').waitFor();
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.waitForURL(/\/templates\/[0-9a-f-]{36}$/);
    await page.getByRole('link', { name: 'Open the English version' }).waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete template' }).click();
    await page.waitForURL(`${base}/templates`);
    const rows = page.locator('tbody tr', { hasText: 'After the survey' });
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.textContent()).toContain('Thanks for {{campaign_name}}');
    await capture(page, 'templates');
    await page.context().close();
  }, 180_000);

  it('a viewer sees no admin navigation, gets no admin screen, and is offered no changes to exclusions or templates', async () => {
    await addExclusion(t.db, { phoneNumber: '+393475559999', reason: 'asked', source: 'api' });
    const tpl = await createTemplate(t.db, { name: 'Viewer sample', locale: 'it', subject: 'Grazie da {{organization_name}}' });
    const page = await signIn(browser, base, 'demo-viewer');
    const adminCalls: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/admin')) adminCalls.push(r.url());
    });
    await expect(mainNav(page).getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0);
    for (const path of ['/admin', '/admin/settings', '/admin/users', '/admin/audit', '/admin/emails']) {
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { name: 'Not available' }).waitFor();
      await expect(page.locator('form').count()).resolves.toBe(0);
    }
    await capture(page, 'admin-no-access');
    expect(adminCalls).toEqual([]);

    await mainNav(page).getByRole('link', { name: 'Exclusions' }).click();
    const masked = page.locator('tbody tr', { hasText: '+39347*****99' });
    await masked.waitFor();
    expect(await page.content()).not.toContain('5559999');
    await expect(page.getByRole('heading', { name: 'Add a number' }).count()).resolves.toBe(0);
    await expect(page.locator('input[type=file]').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: /^Remove/ }).count()).resolves.toBe(0);
    await capture(page, 'exclusions-viewer');

    await mainNav(page).getByRole('link', { name: 'Email templates' }).click();
    await expect(page.getByRole('link', { name: 'New template' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Viewer sample' }).click();
    await page.waitForURL(`${base}/templates/${tpl.id}`);
    await page.getByText('Grazie da Esempio Energia S.p.A.').waitFor();
    await expect(page.getByLabel('Subject', { exact: true }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Save template' }).count()).resolves.toBe(0);
    await capture(page, 'template-viewer');
    await page.context().close();
  }, 180_000);

  it('the Italian interface renders the admin screens', async () => {
    const page = await signIn(browser, base, 'demo-admin', 'it');
    await mainNav(page).getByRole('link', { name: 'Amministrazione' }).click();
    await page.getByRole('heading', { name: 'Modello linguistico (LLM)' }).waitFor();
    await capture(page, 'admin-settings-it');
    await page.getByRole('link', { name: 'Registro di controllo' }).click();
    await page.getByRole('button', { name: 'Applica i filtri' }).waitFor();
    await capture(page, 'admin-audit-it');
    await mainNav(page).getByRole('link', { name: 'Esclusioni' }).click();
    await page.getByRole('heading', { name: 'Aggiungi un numero' }).waitFor();
    await capture(page, 'exclusions-it');
    await page.context().close();
  }, 120_000);
});
