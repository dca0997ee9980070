import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallEvent, CallStatus } from '../ports/telephony.js';
import { classifyProviderError } from './errors.js';
import { eligibility, type EligibilityCampaign, type EligibilityContact } from './eligibility.js';
import { nextAttemptAt, transientRetryDelayMs } from './retry.js';
import { applyEventToAttempt, contactAfterOutcome, outcomeOf, type AttemptPatch, type AttemptView } from './transitions.js';

const blank: AttemptView = { outcome: null, callStatus: null, lastSequence: null, answeredAt: null, endedAt: null, answeredBy: null, durationSeconds: null, errorCode: null };
const ev = (sequence: number, status: CallStatus, extra: Partial<CallEvent> = {}): CallEvent => ({
  providerCallId: 'CA1', sequence, status, rawStatus: status, occurredAt: new Date(1_000_000 + sequence * 1000), ...extra,
});
function apply(a: AttemptView, p: AttemptPatch): AttemptView {
  return {
    outcome: p.outcome ?? a.outcome, callStatus: p.callStatus ?? a.callStatus, lastSequence: p.lastSequence ?? a.lastSequence,
    answeredAt: p.answeredAt ?? a.answeredAt, endedAt: p.endedAt ?? a.endedAt, answeredBy: p.answeredBy ?? a.answeredBy,
    durationSeconds: p.durationSeconds ?? a.durationSeconds, errorCode: p.errorCode ?? a.errorCode,
  };
}
const run = (events: CallEvent[], start = blank) => events.reduce((a, e) => apply(a, applyEventToAttempt(a, e)), start);

describe('attempt transitions', () => {
  it('follows an answered call in order', () => {
    const a = run([ev(0, 'initiated'), ev(1, 'ringing'), ev(2, 'answered', { answeredBy: 'human' }), ev(3, 'completed', { durationSeconds: 42 })]);
    expect(a).toMatchObject({ outcome: 'failed', errorCode: 'break_off', callStatus: 'completed', lastSequence: 3, durationSeconds: 42, answeredBy: 'human' });
    expect(a.answeredAt).toEqual(new Date(1_002_000));
  });
  it('a terminal outcome never regresses', () => {
    const a = run([ev(0, 'initiated'), ev(2, 'busy'), ev(1, 'ringing'), ev(3, 'no_answer')]);
    expect(a).toMatchObject({ outcome: 'busy', callStatus: 'busy', lastSequence: 2 });
  });
  it('an older event never overwrites a newer one', () => {
    const a = run([ev(1, 'ringing'), ev(0, 'initiated')]);
    expect(a).toMatchObject({ outcome: null, callStatus: 'ringing', lastSequence: 1 });
  });
  it('a terminal event applies even when it arrives before older ones', () => {
    expect(run([ev(2, 'no_answer'), ev(0, 'initiated'), ev(1, 'ringing')])).toMatchObject({ outcome: 'no_answer', lastSequence: 2 });
  });
  it('a dialogue outcome stays; the carrier completion only fills end facts', () => {
    const a = run([ev(3, 'completed', { durationSeconds: 60 })], { ...blank, outcome: 'completed', answeredAt: new Date(5) });
    expect(a).toMatchObject({ outcome: 'completed', durationSeconds: 60, endedAt: new Date(1_003_000) });
  });
  it('maps terminal statuses to outcomes', () => {
    expect(outcomeOf('busy', null)).toEqual({ outcome: 'busy' });
    expect(outcomeOf('no_answer', null)).toEqual({ outcome: 'no_answer' });
    expect(outcomeOf('failed', null)).toEqual({ outcome: 'failed' });
    expect(outcomeOf('canceled', null)).toEqual({ outcome: 'failed', errorCode: 'canceled' });
    expect(outcomeOf('completed', 'machine')).toEqual({ outcome: 'voicemail' });
    expect(outcomeOf('completed', 'human')).toEqual({ outcome: 'failed', errorCode: 'break_off' });
  });
  // Twilio repeats AnsweredBy on every callback after detection, the final one included.
  it('property: any order and duplication of a Twilio sequence ends in the same outcome as the ordered sequence', () => {
    const scripts: CallEvent[][] = [
      [ev(0, 'initiated'), ev(1, 'ringing'), ev(2, 'answered', { answeredBy: 'machine' }), ev(3, 'completed', { durationSeconds: 9, answeredBy: 'machine' })],
      [ev(0, 'initiated'), ev(1, 'ringing'), ev(2, 'busy')],
      [ev(0, 'initiated'), ev(1, 'ringing'), ev(2, 'no_answer')],
      [ev(0, 'initiated'), ev(1, 'failed', { errorCode: '32005' })],
    ];
    fc.assert(fc.property(fc.constantFrom(...scripts), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), (script, picks) => {
      const shuffled = picks.map((p) => script[p % script.length]!);
      const final = script[script.length - 1]!;
      if (!shuffled.includes(final)) shuffled.push(final);
      const got = run(shuffled);
      const want = run(script);
      expect(got.outcome).toBe(want.outcome);
      expect(got.callStatus).toBe(want.callStatus);
      expect(got.lastSequence).toBe(want.lastSequence);
      // Without the final event the attempt is never terminal.
      expect(run(shuffled.filter((e) => e !== final)).outcome).toBeNull();
    }));
  });
});

describe('contact after outcome', () => {
  it('retryable while attempts remain, final at the last', () => {
    expect(contactAfterOutcome({ state: 'in_progress', attemptsCount: 1 }, 1, 'busy', 3)).toEqual({ kind: 'not_reached', lastOutcome: 'busy', final: false });
    expect(contactAfterOutcome({ state: 'in_progress', attemptsCount: 3 }, 3, 'voicemail', 3)).toEqual({ kind: 'not_reached', lastOutcome: 'voicemail', final: true });
    expect(contactAfterOutcome({ state: 'in_progress', attemptsCount: 1 }, 1, 'failed', 3, { forceFinal: true })).toMatchObject({ final: true });
  });
  it('leaves other attempts, other states and dialogue outcomes alone', () => {
    expect(contactAfterOutcome({ state: 'in_progress', attemptsCount: 2 }, 1, 'busy', 3)).toEqual({ kind: 'none' });
    expect(contactAfterOutcome({ state: 'completed', attemptsCount: 1 }, 1, 'busy', 3)).toEqual({ kind: 'none' });
    expect(contactAfterOutcome({ state: 'in_progress', attemptsCount: 1 }, 1, 'refused', 3)).toEqual({ kind: 'none' });
  });
});

describe('eligibility', () => {
  const now = new Date('2026-03-02T10:00:00Z'); // Monday 11:00 in Rome
  const campaign: EligibilityCampaign = { status: 'running', maxAttempts: 3, retryIntervalMinutes: 60, requirePriorConsent: true, timezone: 'Europe/Rome', window: { start: '09:00', end: '20:00', allowedWeekdays: [1, 2, 3, 4, 5, 6] } };
  const contact: EligibilityContact = { state: 'pending', attemptsCount: 0, lastAttemptAt: null, retryNotBefore: null, closedAt: null, doNotCall: false, hasPriorConsent: true, phoneNumber: '+393471234567', timezone: null };
  const check = (c: Partial<EligibilityContact> = {}, k: Partial<EligibilityCampaign> = {}, excluded = false) => eligibility(now, { ...campaign, ...k }, { ...contact, ...c }, { excluded, guardMinutes: 5 });
  it('accepts a due pending contact and names its zone', () => expect(check()).toEqual({ eligible: true, zone: 'Europe/Rome' }));
  it.each([
    [{}, { status: 'paused' }, false, 'campaign_not_running'],
    [{ state: 'in_progress' }, {}, false, 'state'],
    [{ state: 'not_reached', closedAt: now }, {}, false, 'closed'],
    [{ attemptsCount: 3 }, {}, false, 'attempts_exhausted'],
    [{ state: 'not_reached', attemptsCount: 1, lastAttemptAt: new Date(now.getTime() - 59 * 60_000) }, {}, false, 'retry_interval'],
    [{ retryNotBefore: new Date(now.getTime() + 1) }, {}, false, 'retry_not_before'],
    [{ doNotCall: true }, {}, false, 'do_not_call'],
    [{}, {}, true, 'excluded'],
    [{ hasPriorConsent: false }, {}, false, 'no_consent'],
    [{ timezone: 'America/New_York' }, {}, false, 'outside_window'],
  ] as const)('rejects %j %j excluded=%s: %s', (c, k, excluded, reason) => {
    expect(check(c as Partial<EligibilityContact>, k as Partial<EligibilityCampaign>, excluded)).toEqual({ eligible: false, reason });
  });
  it('accepts no consent when the campaign does not require it, and a retry after the interval', () => {
    expect(check({ hasPriorConsent: false }, { requirePriorConsent: false }).eligible).toBe(true);
    expect(check({ state: 'not_reached', attemptsCount: 1, lastAttemptAt: new Date(now.getTime() - 60 * 60_000) }).eligible).toBe(true);
  });
});

describe('retry policy and provider errors', () => {
  it('next attempt honours both the interval and a callback time', () => {
    const last = new Date('2026-03-02T10:00:00Z');
    expect(nextAttemptAt(last, 30, null)).toEqual(new Date('2026-03-02T10:30:00Z'));
    expect(nextAttemptAt(last, 30, new Date('2026-03-02T12:00:00Z'))).toEqual(new Date('2026-03-02T12:00:00Z'));
  });
  it('transient backoff grows and is capped', () => {
    expect(transientRetryDelayMs(1, () => 0.5)).toBe(15_000);
    expect(transientRetryDelayMs(3, () => 0.5)).toBe(60_000);
    expect(transientRetryDelayMs(30, () => 0.5)).toBe(15 * 60_000);
  });
  it('classifies provider errors', () => {
    expect(classifyProviderError({ code: '21211' })).toBe('permanent');
    expect(classifyProviderError({ code: '21214' })).toBe('permanent');
    expect(classifyProviderError({ code: '20429', httpStatus: 429 })).toBe('transient');
    expect(classifyProviderError({ code: '10004' })).toBe('transient');
    expect(classifyProviderError({ code: 'network' })).toBe('transient');
    expect(classifyProviderError({ code: '99999', httpStatus: 503 })).toBe('transient');
    expect(classifyProviderError({ code: '20003', httpStatus: 401 })).toBe('configuration');
    expect(classifyProviderError({ code: '99999', httpStatus: 400, permanent: true })).toBe('permanent');
    expect(classifyProviderError({ code: '99999', httpStatus: 400 })).toBe('transient');
  });
});
