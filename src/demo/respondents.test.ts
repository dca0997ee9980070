import { describe, expect, it } from 'vitest';
import type { PersonaScript } from '../adapters/telephony/simulator/index.js';
import { interpretRules } from '../domain/interpreter/index.js';
import { DEMO_MAX_GENERATED, demoContact, demoIndexOf, demoPersonas, demoPersonasFor, demoPhoneNumber } from './respondents.js';

const script = (c: ReturnType<typeof demoPersonas>[number]): PersonaScript | string => c;

describe('demo respondents', () => {
  it('numbers are unique, valid E.164, and map back to their index', () => {
    const seen = new Set<string>();
    for (let n = 0; n < DEMO_MAX_GENERATED; n++) {
      const phone = demoPhoneNumber(n);
      expect(phone).toMatch(/^\+[1-9]\d{6,14}$/);
      expect(seen.has(phone)).toBe(false);
      seen.add(phone);
      expect(demoIndexOf(phone)).toBe(n);
    }
    // The seeded contacts and the exclusion list are not generated numbers.
    for (const other of ['+393470000001', '+447700900003', '+393479999991', '+447700900000']) expect(demoIndexOf(other)).toBeUndefined();
    expect(() => demoPhoneNumber(DEMO_MAX_GENERATED)).toThrow(RangeError);
    expect(demoContact(0)).toMatchObject({ external_contact_id: 'DEMO-0001', has_prior_consent: true, preferred_language: 'auto', email: expect.stringMatching(/@example\.org$/) });
    expect(demoContact(1)).toMatchObject({ phone_number: '+447700900500', preferred_language: 'en' });
  });

  it('every demo utterance means what the persona intends (rules interpreter)', () => {
    const now = new Date('2026-03-02T10:00:00Z');
    const ask = (language: 'en' | 'it', text: string, stage: 'consent' | 'answer', questionType?: 'scale' | 'numeric' | 'free_text') =>
      interpretRules({ text, language, stage, now, timeZone: 'Europe/Rome', ...(questionType ? { questionType, scale: [1, 10] as const } : {}) });
    const kinds = new Set<string>();
    const people: ['en' | 'it', ReturnType<typeof demoPersonas>][] = [
      ...Array.from({ length: 200 }, (_, n) => ['en', demoPersonas(n)] as ['en', ReturnType<typeof demoPersonas>]),
      ['it', demoPersonasFor('+393470000001')!], ['it', demoPersonasFor('+393470000002')!],
      ['en', demoPersonasFor('+447700900003')!], ['en', demoPersonasFor('+393470000004')!],
    ];
    for (const [lang, personas] of people) {
      for (const choice of personas) {
        const p = script(choice);
        if (typeof p === 'string') {
          kinds.add(p);
          continue;
        }
        kinds.add(p.name);
        const u = p.utterances as string[];
        if (p.name.startsWith('demo_refuses')) expect(ask(lang, u[0]!, 'consent').intent, u[0]).toBe('no');
        else if (p.name.startsWith('demo_asks_callback')) {
          const r = ask(lang, u[0]!, 'consent');
          expect(r.intent, u[0]).toBe('callback');
          expect(r.callbackAt!.getTime() - now.getTime()).toBe(5 * 60_000);
        } else {
          expect(ask(lang, u[0]!, 'consent').intent, u[0]).toBe('yes');
          const answers = p.name.startsWith('demo_asks_repeat') ? (expect(ask(lang, u[1]!, 'answer', 'scale').intent).toBe('repeat'), u.slice(2)) : u.slice(1);
          const types = ['scale', 'numeric', 'free_text'] as const;
          answers.forEach((text, i) => {
            const r = ask(lang, text, 'answer', types[i]);
            expect(r.intent, `${p.name}: ${text}`).toBe('answer');
            if (types[i] !== 'free_text') expect(typeof r.value, text).toBe('number');
          });
        }
      }
    }
    expect([...kinds].sort()).toEqual(['busy', 'demo_asks_callback_en', 'demo_asks_repeat_en', 'demo_completes_en', 'demo_completes_it', 'demo_hangs_up', 'demo_refuses_en', 'demo_refuses_it', 'no_answer', 'opt_out', 'voicemail']);
  });

  it('the simulator lookup covers seeded and generated numbers, and nothing else', () => {
    expect(demoPersonasFor('+447700900003')).toHaveLength(2);
    expect(demoPersonasFor(demoPhoneNumber(7))).toEqual(demoPersonas(7));
    expect(demoPersonasFor('+393331234567')).toBeUndefined();
  });
});
