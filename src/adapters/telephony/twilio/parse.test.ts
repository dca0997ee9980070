import { describe, expect, it } from 'vitest';
import { mapAnsweredBy, mapCallStatus, parseSpeechParams, parseStatusParams, WebhookParseError } from './parse.js';

const base = { CallSid: 'CA1', AccountSid: 'AC1' };

describe('Twilio webhook parsing', () => {
  it('maps every CallStatus', () => {
    expect(['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled', 'weird'].map(mapCallStatus)).toEqual([
      'queued', 'initiated', 'ringing', 'answered', 'completed', 'busy', 'no_answer', 'failed', 'canceled', null,
    ]);
  });

  it('maps AnsweredBy', () => {
    expect(['human', 'machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax', 'unknown', undefined].map(mapAnsweredBy)).toEqual([
      'human', 'machine', 'machine', 'machine', 'machine', 'fax', 'unknown', undefined,
    ]);
  });

  it('parses a final no-answer event with sequence, timestamp, duration and SIP code', () => {
    const e = parseStatusParams({ ...base, CallStatus: 'no-answer', SequenceNumber: '2', Timestamp: 'Tue, 31 Aug 2010 20:36:28 +0000', CallDuration: '0', SipResponseCode: '487' });
    expect(e).toEqual({ providerCallId: 'CA1', sequence: 2, status: 'no_answer', rawStatus: 'no-answer', occurredAt: new Date('2010-08-31T20:36:28Z'), durationSeconds: 0, errorCode: '487' });
  });

  it('prefers ErrorCode; a completed call carries no error code', () => {
    expect(parseStatusParams({ ...base, CallStatus: 'failed', SequenceNumber: '1', ErrorCode: '32009', SipResponseCode: '503' }).errorCode).toBe('32009');
    const done = parseStatusParams({ ...base, CallStatus: 'completed', SequenceNumber: '3', CallDuration: '42', SipResponseCode: '200', AnsweredBy: 'human' });
    expect(done).toMatchObject({ status: 'completed', durationSeconds: 42, answeredBy: 'human' });
    expect(done.errorCode).toBeUndefined();
  });

  it('ranks a completed-only callback (no SequenceNumber) after the others; falls back to now without Timestamp', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseStatusParams({ ...base, CallStatus: 'completed' }, () => now)).toMatchObject({ sequence: 3, occurredAt: now });
  });

  it('rejects malformed callbacks', () => {
    expect(() => parseStatusParams({ CallStatus: 'ringing' })).toThrow(WebhookParseError);
    expect(() => parseStatusParams({ ...base, CallStatus: 'queued' })).toThrow(/unexpected CallStatus/);
    expect(() => parseStatusParams({ ...base, CallStatus: 'ringing', SequenceNumber: '-1' })).toThrow(/SequenceNumber/);
  });

  it('parses speech results: text trimmed, confidence clamped, silence as empty text', () => {
    expect(parseSpeechParams({ ...base, SpeechResult: ' Sì, va bene ', Confidence: '0.91234' })).toEqual({ providerCallId: 'CA1', text: 'Sì, va bene', confidence: 0.91234 });
    expect(parseSpeechParams({ ...base, Confidence: '1.7' })).toEqual({ providerCallId: 'CA1', text: '', confidence: 1 });
    expect(parseSpeechParams(base)).toEqual({ providerCallId: 'CA1', text: '' });
  });
});
