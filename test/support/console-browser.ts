/**
 * Shared pieces of the console's browser tests: the built console (built once
 * even when several test files start together), the real server on a fresh
 * database, signing in through the development identity provider, and
 * screenshots at desktop and tablet widths with an axe-core check.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildApp, type App, type BuildOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { WEB_ROOT } from '../../src/http/web.js';
import { createLogger } from '../../src/observability/logger.js';
import { TEST_TOKEN_SECRET } from './api.js';
import type { TestDatabase } from './db.js';

/** Where screenshots go (a CI artifact). */
export const SHOTS = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

/** Builds the console unless it is built; one test file builds while the others wait. */
export async function ensureConsoleBuilt(): Promise<void> {
  const index = join(WEB_ROOT, 'index.html');
  if (existsSync(index)) return;
  mkdirSync(dirname(WEB_ROOT), { recursive: true });
  const lock = `${WEB_ROOT}.building`;
  try {
    mkdirSync(lock);
  } catch {
    for (let i = 0; i < 900 && !existsSync(index); i++) await new Promise((r) => setTimeout(r, 200));
    if (!existsSync(index)) throw new Error('waited 3 minutes for another test file to build the console');
    return;
  }
  try {
    const { build } = await import('vite');
    await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The real server (API + console) on `t`, listening on a free port. */
export async function startConsoleApp(t: TestDatabase, opts: Pick<BuildOptions, 'role'> & { env?: Record<string, string> } = {}): Promise<{ app: App; base: string }> {
  await ensureConsoleBuilt();
  mkdirSync(SHOTS, { recursive: true });
  const { env, ...build } = opts;
  const app = await buildApp(
    loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET, LOG_LEVEL: 'silent', ...env }),
    createLogger({ level: 'silent' }),
    { database: t, ...build },
  );
  return { app, base: await app.start() };
}

export type DemoUser = 'demo-admin' | 'demo-manager' | 'demo-viewer';

/** A new browser context signed in as a demo user, on the campaigns screen. */
export async function signIn(browser: Browser, base: string, who: DemoUser, locale: 'en' | 'it' = 'en'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: locale === 'it' ? 'it-IT' : 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: locale === 'it' ? /Accedi/ : /Sign in/ }).click();
  await page.locator(`button[value="${who}"]`).click();
  await page.waitForURL(`${base}/campaigns`);
  return page;
}

/** Screenshots at both widths, and no critical or serious accessibility violations on the screen. */
export async function capture(page: Page, name: string): Promise<void> {
  for (const width of [1280, 820]) {
    // A viewport as tall as the page rather than a full-page screenshot: frames below the fold
    // (the sandboxed email previews paint in their own process) are only drawn inside the viewport.
    await page.setViewportSize({ width, height: 900 });
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    await page.setViewportSize({ width, height: Math.min(Math.max(height, 900), 8000) });
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  // Sandboxed frames without scripts (the email previews) cannot host axe, and waiting for them hangs
  // the analysis; what they show is the template author's HTML, not the console. Tests check their titles.
  const axe = await new AxeBuilder({ page }).exclude('iframe[sandbox]:not([sandbox~="allow-scripts"])').analyze();
  const bad = axe.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), name).toEqual([]);
}
