import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { freshDatabase, freshTarget, type TestDatabase } from '../../test/support/db.js';
import { runCli } from '../../test/support/cli.js';
import { runSimulation } from './simulate.js';

const log = createLogger({ level: 'silent' });
let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t.close());

describe('simulate', () => {
  it('whole surveys: completed contacts have one response on their last attempt, one final event each, emails sent, no violations', async () => {
    const env: Record<string, string> = {};
    if (t.url) env.DATABASE_URL = t.url;
    const s = await runSimulation(loadConfig(env), log, t, { contacts: 30, mix: 'default', seed: 7, fast: true, cps: 25, maxConcurrent: 5, maxAttempts: 3, timeoutMs: 90_000 });
    expect(s.violationDetails).toEqual([]);
    expect(s.campaignStatus).toBe('completed');
    expect(s.contactsByState.completed ?? 0).toBeGreaterThan(10);
    expect(s.emails).toMatchObject({ pending: 0, failed: 0 });
    expect(s.emails.sent).toBe(30);
  }, 120_000);

  it('the calling engine under chaos (answered calls get the short placeholder) ends with no violations', async () => {
    const env: Record<string, string> = {};
    if (t.url) env.DATABASE_URL = t.url;
    const s = await runSimulation(loadConfig(env), log, t, {
      dialogue: false,
      contacts: 60, mix: 'default', seed: 11, fast: true, cps: 25, maxConcurrent: 5, maxAttempts: 2, timeoutMs: 90_000,
      chaos: { duplicate: 0.2, reorder: 0.2, delay: 0.1, delayMs: 30, drop: 0.03, create5xx: 0.05, create429: 0.05 },
    });
    expect(s.violationDetails).toEqual([]);
    expect(s.violations).toBe(0);
    expect(s.campaignStatus).toBe('completed');
    expect(Object.values(s.contactsByState).reduce((a, b) => a + b, 0)).toBe(60);
    expect(s.observed.maxConcurrency).toBeLessThanOrEqual(5);
    expect(s.observed.maxCps).toBeLessThanOrEqual(25);
    expect(s.simulator.callbacks.duplicated).toBeGreaterThan(0);
    // Transient create errors were released and retried, never counted.
    expect(s.simulator.callsCreated).toBeGreaterThan(60);
  }, 120_000);

  // The race between a call's final status and the dialogue's own ending, end to end: personas that
  // refuse, opt out, hang up mid-survey or answer through to the end, while the carrier duplicates,
  // reorders, delays and drops status callbacks (docs/dialogue.md, "Ordering guarantees").
  it('whole surveys under chaos: every contact finished with one final event, or awaiting retry; campaign completed; no violations', async () => {
    const env: Record<string, string> = {};
    if (t.url) env.DATABASE_URL = t.url;
    const s = await runSimulation(loadConfig(env), log, t, {
      contacts: 40, seed: 13, fast: true, cps: 25, maxConcurrent: 5, maxAttempts: 2, timeoutMs: 150_000,
      mix: 'completes=4,completes_it=2,hangs_up=3,refuses=1,opt_out=1,asks_repeat=1,silent=1,voicemail=1,no_answer=1',
      chaos: { duplicate: 0.25, reorder: 0.25, delay: 0.2, delayMs: 40, drop: 0.03 },
    });
    expect(s.violationDetails).toEqual([]);
    expect(s.campaignStatus).toBe('completed');
    expect(Object.values(s.contactsByState).reduce((a, b) => a + b, 0)).toBe(40);
    expect(s.contactsByState.completed ?? 0).toBeGreaterThan(10);
    expect(s.attemptsByOutcome.open ?? 0).toBe(0);
    expect(s.simulator.callbacks.duplicated).toBeGreaterThan(0);
    expect(s.simulator.callbacks.reordered).toBeGreaterThan(0);
    expect(s.emails).toMatchObject({ pending: 0, failed: 0 });
  }, 200_000);

  it('the CLI prints the JSON summary as its last line', async () => {
    const target = await freshTarget();
    try {
      const r = await runCli(['simulate', '--contacts', '8', '--fast', '--seed', '5', '--mix', 'unreachable', '--max-attempts', '2'], target.env, 120_000);
      expect(r.code, r.stderr).toBe(0);
      const last = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(last).toMatchObject({ contacts: 8, violations: 0, campaignStatus: 'completed', contactsByState: { not_reached: 8 }, closedNotReached: 8 });
    } finally {
      await target.dispose();
    }
  }, 130_000);
});
