import { describe, expect, it } from 'vitest';
import { batchIds } from './batch-ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('batchIds', () => {
  it('makes version 7 UUIDs whose first 48 bits are the batch start in milliseconds', () => {
    const start = Date.UTC(2026, 10, 27, 10, 30, 0, 123);
    const ids = batchIds(start);
    const id = ids.next();
    expect(id).toMatch(V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(start);
  });

  it('makes ids that are unique and sort in the order they were made', () => {
    const ids = batchIds();
    const made = Array.from({ length: 70_000 }, () => ids.next());
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
    for (const id of made.slice(0, 100)) expect(id).toMatch(V7);
  });

  it('gives two batches of the same millisecond different random bits, and a later batch larger ids', () => {
    const a = batchIds(1_000).next();
    const b = batchIds(1_000).next();
    expect(a.slice(14, 28)).not.toBe(b.slice(14, 28));
    expect(batchIds(1_001).next() > batchIds(1_000).next()).toBe(true);
  });
});
