import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { openCsv, type CsvReadOptions } from './reader.js';
import { detectDelimiter, detectEncoding } from './sniff.js';

async function* chunked(buf: Buffer, size: number) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function readAll(input: string | Buffer, opts: Partial<CsvReadOptions> = {}, chunkSize = 1 << 16) {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const file = await openCsv(chunked(buf, chunkSize), { maxBytes: 1 << 30, ...opts });
  const records = [];
  for await (const r of file.records) records.push(r);
  return { ...file, records };
}

async function failure(input: string | Buffer, opts: Partial<CsvReadOptions> = {}) {
  try {
    await readAll(input, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected the file to be rejected');
}

describe('openCsv', () => {
  it('numbers physical lines: header 1, blank lines and embedded newlines counted', async () => {
    const f = await readAll('phone_number,note\n1,a\n\n2,"x\ny\nz"\n3,b\n4,"p,q"\n');
    expect(f.header).toEqual({ line: 1, cells: ['phone_number', 'note'] });
    expect(f.records).toEqual([
      { line: 2, cells: ['1', 'a'] },
      { line: 4, cells: ['2', 'x\ny\nz'] },
      { line: 7, cells: ['3', 'b'] },
      { line: 8, cells: ['4', 'p,q'] },
    ]);
  });

  it('handles CRLF, also split across chunks, and a last line without newline', async () => {
    const text = 'phone_number;note\r\n1;"a\r\nb"\r\n2;c\r\n3;d';
    for (const size of [1, 2, 3, 7, 1000]) {
      const f = await readAll(text, {}, size);
      expect(f.delimiter).toBe(';');
      expect(f.records).toEqual([
        { line: 2, cells: ['1', 'a\nb'] },
        { line: 4, cells: ['2', 'c'] },
        { line: 5, cells: ['3', 'd'] },
      ]);
    }
  });

  it('detects UTF-8 with and without BOM, and Windows-1252', async () => {
    const text = 'phone_number,città\n1,Forlì\n';
    const plain = await readAll(text);
    expect(plain.encoding).toBe('utf-8');
    expect(plain.header.cells).toEqual(['phone_number', 'città']);
    const bom = await readAll(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect(bom.header.cells[0]).toBe('phone_number');
    expect(bom.records[0]!.cells[1]).toBe('Forlì');
    const latin = await readAll(iconv.encode('phone_number,città\n1,Forlì €\n', 'win1252'));
    expect(latin.encoding).toBe('windows-1252');
    expect(latin.records[0]!.cells[1]).toBe('Forlì €');
    const forced = await readAll(iconv.encode('phone_number,città\n1,Forlì\n', 'latin1'), { encoding: 'latin1' });
    expect(forced.records[0]!.cells[1]).toBe('Forlì');
  });

  it('keeps multi-byte characters split across chunks', async () => {
    const f = await readAll('phone_number,n\n1,àèìòù€\n', {}, 1);
    expect(f.records[0]!.cells[1]).toBe('àèìòù€');
  });

  it('detects comma, semicolon and tab; an explicit delimiter wins', async () => {
    expect((await readAll('a,b;c\n')).delimiter).toBe(',');
    expect((await readAll('a;b;c\n1;2;3\n')).delimiter).toBe(';');
    expect((await readAll('a\tb\n1\t2\n')).records[0]!.cells).toEqual(['1', '2']);
    expect((await readAll('"a;b",c\n')).delimiter).toBe(',');
    expect((await readAll('phone_number\n1\n')).delimiter).toBe(',');
    expect((await readAll('a;b,c\n1;2,3\n', { delimiter: ';' })).records[0]!.cells).toEqual(['1', '2,3']);
  });

  it('treats a stray quote inside an unquoted field as text', async () => {
    const f = await readAll('phone_number,name\n1,O"Brien\n');
    expect(f.records[0]!.cells).toEqual(['1', 'O"Brien']);
  });

  it.each([
    ['', 'csv.empty'],
    ['\n\n  \n', 'csv.empty'],
    [Buffer.from([0xef, 0xbb, 0xbf]), 'csv.empty'],
    [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]), 'csv.binary'],
    [Buffer.from('%PDF-1.7\n'), 'csv.binary'],
    [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'csv.binary'],
    [Buffer.from([0xff, 0xfe, 0x70, 0x00]), 'csv.binary'],
    ['phone_number\n1\n"unterminated\n2\n3\n', 'csv.unbalanced_quotes'],
    [`phone_number\n1,${'x'.repeat(70 * 1024)}\n`, 'csv.line_too_long'],
    [`${'x'.repeat(70 * 1024)}\n`, 'csv.line_too_long'],
  ])('rejects %# as %s', async (input, code) => {
    expect((await failure(input)).code).toBe(code);
  });

  it('rejects NUL bytes found after the sniffed prefix', async () => {
    const big = Buffer.concat([Buffer.from('phone_number\n' + '3471234567\n'.repeat(10_000)), Buffer.from([0]), Buffer.from('\n')]);
    expect((await failure(big)).code).toBe('csv.binary');
  });

  it('rejects invalid UTF-8 after the sniffed prefix with a hint', async () => {
    const big = Buffer.concat([Buffer.from('phone_number,n\n' + '3471234567,a\n'.repeat(10_000)), iconv.encode('1,città\n', 'latin1')]);
    const err = await failure(big);
    expect(err.code).toBe('csv.bad_encoding');
    expect(err.message).toMatch(/latin1/);
  });

  it('enforces the size limit while streaming, as too_large with the limit', async () => {
    const err = await failure('phone_number\n' + '3471234567\n'.repeat(1000), { maxBytes: 5000 });
    expect(err).toMatchObject({ code: 'csv.too_large', kind: 'too_large', details: { limit_bytes: 5000 } });
  });
});

describe('sniffing', () => {
  it('detectDelimiter ignores quoted delimiters', () => {
    expect(detectDelimiter('"a,b,c";d;e')).toBe(';');
    expect(detectDelimiter('x')).toBe(',');
  });
  it('detectEncoding tolerates a multi-byte sequence cut at the end of the sample', () => {
    const b = Buffer.from('abc€');
    expect(detectEncoding(b.subarray(0, b.length - 1), false)).toBe('utf-8');
    expect(detectEncoding(b.subarray(0, b.length - 1), true)).toBe('windows-1252');
  });
});
