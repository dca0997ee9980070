import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pacer } from './pacing.js';

describe('Pacer', () => {
  it('spaces starts 1/cps apart plus the margin, beginning one interval out', () => {
    const p = new Pacer(2, 0, 0);
    expect(p.slots(10, 0, 2000)).toEqual([500, 1000, 1500, 2000]);
    p.use([500, 1000]);
    expect(p.slots(10, 1000, 1000)).toEqual([1500, 2000]);
  });
  it('never puts more than cps starts in any one-second window, whatever the ticks and claims', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.array(fc.record({ gap: fc.integer({ min: 0, max: 1500 }), claimed: fc.nat(60) }), { minLength: 1, maxLength: 60 }),
      (cps, ticks) => {
        const p = new Pacer(cps, 0);
        let now = 0;
        const starts: number[] = [];
        for (const tk of ticks) {
          now += tk.gap;
          const s = p.slots(100, now, 1000);
          const used = s.slice(0, Math.min(tk.claimed, s.length));
          p.use(used);
          starts.push(...used);
        }
        for (let i = 0; i < starts.length; i++) {
          const inWindow = starts.filter((t) => t > starts[i]! - 1000 && t <= starts[i]!).length;
          expect(inWindow).toBeLessThanOrEqual(cps);
        }
      },
    ));
  });
});
