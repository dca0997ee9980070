import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { maskPhone, scrubText } from './redact.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { log: createLogger({ level: 'debug' }, stream), lines, text: () => lines.join('\n') };
}

const PII = ['+393471234567', '347 123 4567', '+39 347 123 4567', 'mario.rossi@example.com', 's3cr3t-token', 'AC0123456789abcdef', 'my answer is seven'];

describe('logger', () => {
  it('writes JSON lines with level, time and message', () => {
    const { log, lines } = capture();
    log.info({ campaignId: 'c1' }, 'campaign activated');
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({ level: 'info', msg: 'campaign activated', campaignId: 'c1' });
    expect(new Date(rec.time).toString()).not.toBe('Invalid Date');
  });

  it('never writes phone numbers, emails, secrets or transcripts, wherever they appear', () => {
    const { log, text } = capture();
    log.info({ phone_number: '+393471234567', email: 'mario.rossi@example.com', authToken: 's3cr3t-token', password: 'p' }, 'by key');
    log.info({ detail: { note: 'call him on 347 123 4567 or write to mario.rossi@example.com' } }, 'nested free text');
    log.info('message with +39 347 123 4567 and mario.rossi@example.com');
    log.info('interpolated %s', '+393471234567');
    log.info({ transcript: 'my answer is seven', speechResult: 'my answer is seven' }, 'dialogue');
    log.info({ headers: { authorization: 'Basic AC0123456789abcdef', cookie: 'sid=s3cr3t-token' } }, 'request');
    log.error({ err: new Error('duplicate key (phone_number)=(+393471234567) for mario.rossi@example.com') }, 'insert failed');
    log.child({ to: '+393471234567', callSid: 'CA1' }).warn('child bindings');
    const out = text();
    for (const secret of PII) expect(out, secret).not.toContain(secret);
    expect(out).toContain('[redacted]');
    expect(out).toContain('[phone]');
    expect(out).toContain('[email]');
    expect(out).toContain('"callSid":"CA1"');
  });

  it('keeps ids, dates and small numbers readable', () => {
    const { log, lines } = capture();
    log.info({ id: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', at: '2026-11-26T10:00:00Z', count: 12345, port: '5432' }, 'attempt 3 of 5 after 120 s');
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({ id: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', at: '2026-11-26T10:00:00Z', count: 12345, port: '5432', msg: 'attempt 3 of 5 after 120 s' });
  });

  it('error objects keep their type and stack, scrubbed', () => {
    const { log, lines } = capture();
    log.error({ err: new TypeError('bad value for mario.rossi@example.com') }, 'failed');
    const rec = JSON.parse(lines[0]!);
    expect(rec.err.type).toBe('TypeError');
    expect(rec.err.message).toBe('bad value for [email]');
    expect(rec.err.stack).toContain('TypeError');
  });
});

describe('scrubbing helpers', () => {
  it('masks phone numbers leaving country code and last two digits', () => {
    expect(maskPhone('+393471234567')).toBe('+39347*****67');
  });
  it('recognises national spellings of numbers', () => {
    expect(scrubText('0039 347 1234567')).toBe('[phone]');
    expect(scrubText('tel. 06 1234 5678')).toBe('tel. [phone]');
  });
});
