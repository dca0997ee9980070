/**
 * "Try it before launch" in a real browser (Debian's Chromium via
 * playwright-core) against the real server and database: a campaign manager
 * runs a whole test call from the keyboard, sees what was understood at each
 * turn and the completed state, and nothing is stored. Screenshots at 1280 and
 * 820 px go to artifacts/screenshots/.
 */
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { chromiumAvailable, launchBrowser } from '../support/browser.js';
import { capture, type DemoUser, signIn as signInAs, startConsoleApp } from '../support/console-browser.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { createCampaign, createContact } from '../support/factories.js';

const run = chromiumAvailable();

let t: TestDatabase;
let app: App;
let base: string;
let browser: Browser;
let campaignId: string;

beforeAll(async () => {
  if (!run) return;
  t = await freshDatabase();
  ({ app, base } = await startConsoleApp(t));
  browser = await launchBrowser();
  campaignId = (
    await createCampaign(t.db, {
      name: 'Post-visit satisfaction',
      intro_script: 'Hello, this is the automated assistant of Example Ltd, calling about your recent visit. Three questions, two minutes.',
    })
  ).id;
  await createContact(t.db, campaignId);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

/** Signed in as `who`; with `speech`, the browser "hears" scripted phrases from the next page on. */
async function signIn(who: DemoUser, opts: { locale?: 'en' | 'it'; speech?: boolean } = {}): Promise<Page> {
  const page = await signInAs(browser, base, who, opts.locale);
  if (opts.speech) {
    // A stand-in for the browser's speech recognition: "hears" the next scripted phrase.
    await page.context().addInitScript(() => {
      const said = ['yes please'];
      class FakeRecognition {
        lang = '';
        interimResults = false;
        maxAlternatives = 1;
        onresult: ((e: unknown) => void) | null = null;
        onerror: ((e: unknown) => void) | null = null;
        onend: (() => void) | null = null;
        start() {
          (globalThis as unknown as { lastSpeechLang: string }).lastSpeechLang = this.lang;
          setTimeout(() => {
            this.onresult?.({ results: [[{ transcript: said.shift() ?? '', confidence: 0.87 }]] });
            this.onend?.();
          }, 50);
        }
        stop() {
          this.onend?.();
        }
        abort() {}
      }
      Object.assign(globalThis, { SpeechRecognition: FakeRecognition, webkitSpeechRecognition: FakeRecognition });
    });
  }
  return page;
}

async function surveyRowCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['contacts', 'call_attempts', 'survey_responses', 'events', 'call_dialogues', 'dialogue_turns', 'transcript_snippets', 'consent_records']) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.db);
    out[table] = Number(r.rows[0]!.n);
  }
  return out;
}

/** Types an answer with the keyboard (focus is already in the answer box) and waits for the agent's reply. */
async function say(page: Page, text: string): Promise<void> {
  const answer = page.getByLabel('Respondent’s answer');
  await expect.poll(() => answer.evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true);
  const before = await page.locator('.chat li.agent').count();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('.chat li.agent').count()).toBe(before + 1);
}

describe.runIf(run)('test call in a real browser', () => {
  it('a campaign manager runs a whole test call by typing and sees what was understood', async () => {
    const before = await surveyRowCounts();
    const page = await signIn('demo-manager');
    await page.goto(`${base}/campaigns/${campaignId}`);
    await page.getByRole('heading', { name: 'Try it before launch' }).waitFor();
    await capture(page, 'test-call-start');

    // Keyboard only: focus the start button and press Enter; the answer box then takes the focus.
    await page.getByRole('button', { name: 'Start test call' }).focus();
    await page.keyboard.press('Enter');
    const log = page.getByRole('log', { name: 'Test call conversation' });
    await expect.poll(() => log.textContent()).toContain('calling about your recent visit');
    await expect.poll(() => log.textContent()).toContain('Do you agree to answer three short questions?');
    await page.getByText('Expected now: consent — yes or no.').waitFor();

    await say(page, 'yes, go ahead');
    await expect.poll(() => page.locator('.chat li.respondent').last().locator('[data-testid=intent]').textContent()).toBe('yes');
    await page.getByText('Expected now: answer to question 1 — a whole number from 1 to 10.').waitFor();

    // An out-of-scale answer: one clarification naming the expected form.
    await say(page, 'twelve');
    await expect.poll(() => page.locator('.chat li.agent').last().textContent()).toContain('a number from 1 to 10');
    await say(page, 'I would say eight');
    const q1 = page.locator('.chat li.respondent').last();
    await expect.poll(() => q1.locator('[data-testid=intent]').textContent()).toBe('answer');
    await expect.poll(() => q1.locator('[data-testid=value]').textContent()).toBe('8');
    await expect.poll(() => q1.locator('[data-testid=source]').textContent()).toBe('rules');
    await capture(page, 'test-call-turns');

    await say(page, 'three times');
    await say(page, 'shorter waiting times');
    await page.getByText('The call ended: survey completed.').waitFor();
    const rows = await page.locator('.testcall-answers tbody tr').allTextContents();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('8');
    expect(rows[1]).toContain('3');
    expect(rows[2]).toContain('shorter waiting times');
    // The answer box is gone; the focus is on "Start again".
    await expect(page.getByLabel('Respondent’s answer').count()).resolves.toBe(0);
    await expect.poll(() => page.getByRole('button', { name: 'Start again' }).evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true);
    await capture(page, 'test-call-completed');

    // Restart from the keyboard: a fresh conversation.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.chat li').count()).toBe(1);
    await expect(page.locator('.testcall-answers').count()).resolves.toBe(0);

    expect(await surveyRowCounts()).toEqual(before);
    await page.context().close();
  }, 120_000);

  it('speaks where the browser can listen, in the chosen language, and offers no microphone where it cannot', async () => {
    const plain = await signIn('demo-manager');
    await plain.goto(`${base}/campaigns/${campaignId}`);
    await plain.getByRole('button', { name: 'Start test call' }).click();
    await plain.getByLabel('Respondent’s answer').waitFor();
    const hasApi = await plain.evaluate(() => 'SpeechRecognition' in globalThis || 'webkitSpeechRecognition' in globalThis);
    await expect(plain.getByRole('button', { name: 'Speak the answer' }).count()).resolves.toBe(hasApi ? 1 : 0);
    await plain.context().close();

    const page = await signIn('demo-manager', { speech: true });
    await page.goto(`${base}/campaigns/${campaignId}`);
    await page.getByLabel('Call language').selectOption('it');
    await page.getByRole('button', { name: 'Start test call' }).click();
    await expect.poll(() => page.getByRole('log').textContent()).toContain('È d’accordo a rispondere a tre brevi domande?');
    await page.getByRole('button', { name: 'Speak the answer' }).click();
    await expect.poll(() => page.locator('.chat li.respondent').count()).toBe(1);
    const heard = page.locator('.chat li.respondent').first();
    await expect.poll(() => heard.textContent()).toContain('yes please');
    await expect.poll(() => heard.locator('[data-testid=intent]').textContent()).toBe('yes');
    expect(await page.evaluate(() => (globalThis as unknown as { lastSpeechLang: string }).lastSpeechLang)).toBe('it-IT');
    await page.context().close();
  }, 120_000);

  it('the Italian interface, and no test call for a viewer', async () => {
    const it = await signIn('demo-manager', { locale: 'it' });
    await it.goto(`${base}/campaigns/${campaignId}`);
    await it.getByRole('heading', { name: 'Provalo prima del lancio' }).waitFor();
    await it.getByLabel('Lingua della chiamata').selectOption('it');
    await it.getByRole('button', { name: 'Avvia chiamata di prova' }).click();
    await it.getByLabel('Risposta dell’intervistato').fill('no grazie');
    await it.getByRole('button', { name: 'Invia' }).click();
    await it.getByText('La chiamata è terminata: rifiutato.').waitFor();
    await capture(it, 'test-call-it');
    await it.context().close();

    const viewer = await signIn('demo-viewer');
    await viewer.goto(`${base}/campaigns/${campaignId}`);
    await viewer.getByRole('heading', { name: 'Post-visit satisfaction' }).waitFor();
    await expect(viewer.getByRole('heading', { name: 'Try it before launch' }).count()).resolves.toBe(0);
    await viewer.context().close();
  }, 120_000);
});
