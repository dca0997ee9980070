import { describe, expect, it } from 'vitest';
import { buildRelayMessage, dedupKeyOf, nextRetryDelayMs, type OutboxEventRow } from './message.js';

const row = (over: Partial<OutboxEventRow> = {}): OutboxEventRow => ({
  id: 'e1', event_type: 'survey.completed', campaign_id: 'c1', contact_id: 'k1', created_at: new Date('2026-03-02T09:00:00Z'),
  payload: {}, call_id: 'call-1', attempt_number: 2, contact_attempts: 2, q1_answer: '8', q2_answer: '3', q3_answer: 'faster', ...over,
});

describe('buildRelayMessage', () => {
  it('carries exactly the documented fields, answers only when completed', () => {
    const { message, dedupKey } = buildRelayMessage(row());
    expect(Object.keys(message).sort()).toEqual(
      ['answers', 'attempts', 'call_id', 'campaign_id', 'contact_id', 'event_id', 'event_type', 'outcome', 'timestamp'].sort());
    expect(message).toMatchObject({ outcome: 'completed', attempts: 2, timestamp: '2026-03-02T09:00:00.000Z', answers: { q1: '8', q2: '3', q3: 'faster' } });
    expect(dedupKey).toBe('call-1:survey.completed');
    const refused = buildRelayMessage(row({ event_type: 'survey.refused' })).message;
    expect(refused).not.toHaveProperty('answers');
    expect(refused.outcome).toBe('refused');
  });

  it('never copies the payload: a phone number or email there does not leave', () => {
    const { message } = buildRelayMessage(row({ payload: { phone_number: '+393471234567', email: 'a@b.org', attempts: 3 } }));
    const json = JSON.stringify(message);
    expect(json).not.toContain('+39347');
    expect(json).not.toContain('a@b.org');
    expect(message.attempts).toBe(3);
  });

  it('dedup key falls back to the contact when there was no call, and is deterministic', () => {
    expect(dedupKeyOf({ call_id: null, contact_id: 'k9', event_type: 'survey.not_reached' })).toBe('contact-k9:survey.not_reached');
    expect(buildRelayMessage(row()).dedupKey).toBe(buildRelayMessage(row()).dedupKey);
  });
});

describe('nextRetryDelayMs', () => {
  it('doubles per attempt up to the cap, jitter at most 20 %', () => {
    const p = { baseMs: 1000, capMs: 60_000 };
    expect([1, 2, 3, 4].map((a) => nextRetryDelayMs(a, p, () => 0))).toEqual([1000, 2000, 4000, 8000]);
    expect(nextRetryDelayMs(20, p, () => 0)).toBe(60_000);
    expect(nextRetryDelayMs(1, p, () => 1)).toBe(1200);
  });
});
