import { describe, expect, it } from 'vitest';
import { createPersonaSelector, DEFAULT_MIX, parseMix, PERSONAS } from './personas.js';

describe('personas', () => {
  it('the default mix sums to 100 and names only known personas', () => {
    expect(Object.values(DEFAULT_MIX).reduce((a, b) => a + (b ?? 0), 0)).toBe(100);
    for (const name of Object.keys(DEFAULT_MIX)) expect(PERSONAS).toHaveProperty(name);
  });

  it('a seeded mix follows its proportions and is reproducible', () => {
    const a = createPersonaSelector({ seed: 5 });
    const b = createPersonaSelector({ seed: 5 });
    const counts: Record<string, number> = {};
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const to = `+39347${String(i).padStart(7, '0')}`;
      const p = a.choose(to, 0);
      expect(b.choose(to, 0).name).toBe(p.name);
      counts[p.name] = (counts[p.name] ?? 0) + 1;
    }
    for (const [name, pct] of Object.entries(DEFAULT_MIX)) expect(Math.abs(((counts[name] ?? 0) / n) * 100 - pct!), name).toBeLessThan(2.5);
    const other = createPersonaSelector({ seed: 6 });
    const differs = Array.from({ length: 50 }, (_, i) => `+39347${i}0000000`).some((to) => other.choose(to, 0).name !== a.choose(to, 0).name);
    expect(differs).toBe(true);
  });

  it('a retried number may draw another persona; explicit lists give one per attempt', () => {
    const s = createPersonaSelector({ seed: 1, byNumber: { '+393470000001': ['no_answer', 'busy', 'completes_it'], '+393470000002': 'refuses' } });
    expect([0, 1, 2, 3].map((i) => s.choose('+393470000001', i).name)).toEqual(['no_answer', 'busy', 'completes_it', 'completes_it']);
    expect(s.choose('+393470000002', 4).name).toBe('refuses');
  });

  it('personas by number may come from a function; undefined falls back to the mix', () => {
    const custom = { name: 'custom', pickup: 'human', utterances: ['Yes'] } as const;
    const s = createPersonaSelector({ seed: 1, mix: 'all_complete', byNumber: (to) => (to.endsWith('1') ? ['busy', custom] : undefined) });
    expect([0, 1, 2].map((i) => s.choose('+393470000001', i).name)).toEqual(['busy', 'custom', 'custom']);
    expect(s.choose('+393470000002', 0).name).toBe('completes');
  });

  it('parses custom mixes and rejects unknown personas', () => {
    expect(parseMix('completes=3, busy')).toEqual({ completes: 3, busy: 1 });
    expect(parseMix('default')).toBe(DEFAULT_MIX);
    expect(() => parseMix('robots=1')).toThrow(/unknown persona "robots"/);
    expect(() => parseMix('busy=0')).toThrow(/no weight/);
  });
});
