import { describe, expect, it } from 'vitest';
import { freeTextTop, meanOfCounts, numericHistogram, percentileOfCounts, scaleHistogram } from './distributions.js';

describe('percentiles of counted values', () => {
  it('nearest rank: P95 of 1..100 is 95, P50 is 50', () => {
    const counts = Array.from({ length: 100 }, (_, i) => ({ value: i + 1, count: 1 }));
    expect(percentileOfCounts(counts, 0.95)).toBe(95);
    expect(percentileOfCounts(counts, 0.5)).toBe(50);
  });

  it('weights by count, ignores order, and is null when empty', () => {
    // 90 calls of 10 s, 10 calls of 300 s: P95 is 300, mean 39
    const counts = [{ value: 300, count: 10 }, { value: 10, count: 90 }];
    expect(percentileOfCounts(counts, 0.95)).toBe(300);
    expect(percentileOfCounts(counts, 0.9)).toBe(10);
    expect(meanOfCounts(counts)).toBe(39);
    expect(percentileOfCounts([], 0.95)).toBeNull();
    expect(meanOfCounts([{ value: 3, count: 0 }])).toBeNull();
  });
});

describe('answer distributions', () => {
  it('scale: one bin per point of the scale, out-of-scale and text answers unparsed', () => {
    const d = scaleHistogram([{ answer: '1', count: 2 }, { answer: '5', count: 3 }, { answer: '11', count: 1 }, { answer: 'dunno', count: 1 }], 1, 5);
    expect(d.histogram!.map((b) => [b.label, b.count])).toEqual([['1', 2], ['2', 0], ['3', 0], ['4', 0], ['5', 3]]);
    expect(d.unparsed).toBe(2);
    expect(d.responses).toBe(7);
  });

  it('numeric: integer bins when the range is small, equal-width bins otherwise', () => {
    const small = numericHistogram([{ answer: '0', count: 1 }, { answer: '3', count: 4 }]);
    expect(small.histogram!.map((b) => b.count)).toEqual([1, 0, 0, 4]);
    const wide = numericHistogram([{ answer: '0', count: 1 }, { answer: '50', count: 2 }, { answer: '100', count: 3 }, { answer: '2,5', count: 1 }], 4);
    expect(wide.histogram!.map((b) => b.count)).toEqual([2, 0, 2, 3]);
    expect(wide.histogram![0]!.label).toBe('0–25');
  });

  it('free text: top N by count', () => {
    const d = freeTextTop([{ answer: 'b', count: 1 }, { answer: 'a', count: 5 }, { answer: 'c', count: 1 }], { responses: 7, distinct: 3 }, 2);
    expect(d.top).toEqual([{ answer: 'a', count: 5 }, { answer: 'b', count: 1 }]);
  });
});
