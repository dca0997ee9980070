/**
 * A real browser for end-to-end tests: Debian's Chromium driven by
 * playwright-core (never a downloaded browser). Absent Chromium skips the
 * browser tests, unless VSA_TEST_REQUIRE_SERVICES=1 (CI), where it fails them.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { inject } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (inject('testDb').requireServices) throw new Error(`Chromium is required (VSA_TEST_REQUIRE_SERVICES=1) but ${CHROMIUM_PATH} does not exist; install the Debian package "chromium"`);
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
