import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS, formatRecord, headerRecord, neutralizeCell, parseCsvOptions } from './csv.js';

describe('formula-injection neutralization', () => {
  it.each(['=SUM(A1:A2)', '+cmd|" /C calc"!A0', '-2+3', '@SUM(1)', '\tx', '\rx', '=1'])('prefixes %j with an apostrophe', (v) => {
    expect(neutralizeCell(v)).toBe(`'${v}`);
  });

  it('leaves plain numbers as numbers and ordinary text alone', () => {
    for (const v of ['-3', '+2.5', '42', '0.75', 'hello', 'a=b', '']) expect(neutralizeCell(v)).toBe(v);
  });

  it('keeps phone numbers readable text: +39… becomes \'+39…', () => {
    expect(neutralizeCell('+393471234567', true)).toBe("'+393471234567");
  });

  it('no generated text cell ever starts with a formula character (property)', () => {
    fc.assert(fc.property(fc.string(), fc.boolean(), (s, asText) => {
      const out = neutralizeCell(s, asText);
      const numeric = /^[+-]?(\d+(\.\d+)?|\.\d+)$/.test(out);
      expect(!/^[=+\-@\t\r]/.test(out) || (numeric && !asText)).toBe(true);
    }));
  });
});

describe('CSV records', () => {
  it('has exactly the documented columns', () => {
    expect(headerRecord(',')).toBe(`${EXPORT_COLUMNS.join(',')}\r\n`);
    expect(EXPORT_COLUMNS.slice(0, 13)).toEqual(['campaign_id', 'contact_id', 'external_contact_id', 'phone_number', 'state', 'outcome',
      'attempt_count', 'first_attempt_at', 'last_attempt_at', 'completed_at', 'q1_answer', 'q2_answer', 'q3_answer']);
  });

  it('quotes delimiters, quotes and newlines, and round-trips through a CSV parser', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { minLength: 1, maxLength: 6 }), fc.constantFrom(',', ';', '\t', '|'), (cells, d) => {
      const line = formatRecord(cells, d);
      const [parsed] = parse(line, { delimiter: d, relax_quotes: false }) as string[][];
      expect(parsed).toEqual(cells.map((c) => (c === null ? '' : typeof c === 'number' ? String(c) : neutralizeCell(c))));
    }), { numRuns: 200 });
  });

  it('writes dates as ISO 8601 UTC without milliseconds', () => {
    expect(formatRecord([new Date('2026-01-02T03:04:05.678Z'), 3], ';')).toBe('2026-01-02T03:04:05Z;3\r\n');
  });

  it('parses delimiter options and rejects others', () => {
    expect(parseCsvOptions({ delimiter: ';', bom: 'true' })).toEqual({ delimiter: ';', bom: true });
    expect(parseCsvOptions({ delimiter: 'tab' }).delimiter).toBe('\t');
    expect(parseCsvOptions({})).toEqual({ delimiter: ',', bom: false });
    expect(() => parseCsvOptions({ delimiter: 'x' })).toThrowError(/invalid export options/);
  });
});
