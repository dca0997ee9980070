import { describe, expect, it } from 'vitest';
import { chooseTemplate, requestedLocale } from './locale.js';
import { previewTemplate, renderEmail, sampleVariables, TEMPLATE_VARIABLES } from './preview.js';

const tpl = (over: Partial<{ subject: string; body_html: string; body_text: string }> = {}) => ({
  subject: 'Thanks from {{organization_name}}',
  body_html: '<p>{{campaign_name}}: {{q3_answer}}</p>',
  body_text: '{{campaign_name}}: {{q3_answer}}',
  ...over,
});

describe('renderEmail (what the email worker sends)', () => {
  it('escapes hostile values in HTML whatever the tag, keeps text unescaped but without control characters', () => {
    const hostile = '<script>alert("x")</script>&\u0007';
    const r = renderEmail(tpl({ body_html: '<p>{{q3_answer}}|{{{q3_answer}}}|{{& q3_answer}}</p>' }), { q3_answer: hostile });
    expect(r.html).not.toContain('<script>');
    expect(r.html.split('|')).toHaveLength(3);
    expect(r.html).toContain('&lt;script&gt;');
    const t = renderEmail(tpl({ body_text: '{{campaign_name}}: {{q3_answer}}\n\tbye' }), { campaign_name: 'C', q3_answer: hostile });
    expect(t.text).toBe('C: <script>alert("x")</script>&\n\tbye');
  });

  it('strips CR/LF from the subject (no header injection)', () => {
    const r = renderEmail(tpl(), { organization_name: 'Acme\r\nBcc: victim@example.org' });
    expect(r.subject).toBe('Thanks from Acme Bcc: victim@example.org');
    expect(r.subject).not.toMatch(/[\r\n]/);
  });

  it('renders missing and unknown variables empty, and prototype names resolve to nothing', () => {
    const r = renderEmail(tpl({ body_text: '[{{campaign_name}}][{{nope}}][{{constructor}}][{{__proto__}}]' }), {});
    expect(r.text).toBe('[][][][]');
  });

  it('renders sections on the answers flag', () => {
    const body = '{{#answers_included}}A={{q1_answer}}{{/answers_included}}{{^answers_included}}none{{/answers_included}}';
    expect(renderEmail(tpl({ body_text: body }), { answers_included: 'yes', q1_answer: '7' }).text).toBe('A=7');
    expect(renderEmail(tpl({ body_text: body }), { answers_included: '' }).text).toBe('none');
  });

  it('throws a domain error on a syntax error or a partial', () => {
    expect(() => renderEmail(tpl({ body_text: '{{#open}} never closed' }), {})).toThrowError(expect.objectContaining({ code: 'email.template_invalid' }));
    expect(() => renderEmail(tpl({ body_html: '{{> evil}}' }), {})).toThrowError(expect.objectContaining({ code: 'email.template_invalid' }));
  });

  it('renders exactly what the preview shows for the same values', () => {
    const t = tpl({ body_html: '<h1>{{campaign_name}}</h1>{{#answers_included}}<p>{{q1_question}} {{q1_answer}}</p>{{/answers_included}}' });
    for (const locale of ['en', 'it'] as const) {
      const vars = sampleVariables(locale, 'completed');
      const p = previewTemplate(t, vars);
      expect(renderEmail(t, vars)).toEqual({ subject: p.subject, html: p.html, text: p.text });
      expect(p.unknown_variables).toEqual([]);
    }
  });

  it('every documented variable has a sample in both languages', () => {
    for (const locale of ['en', 'it'] as const) {
      const s = sampleVariables(locale, 'completed');
      for (const v of TEMPLATE_VARIABLES) expect(s[v], `${locale} ${v}`).not.toBe('');
      expect(sampleVariables(locale, 'refused').answers_included).toBe('');
    }
  });
});

describe('locale', () => {
  it('contact language first, campaign language for auto', () => {
    expect(requestedLocale('it', 'en')).toBe('it');
    expect(requestedLocale('auto', 'en')).toBe('en');
  });
  it('uses the translation in the requested locale, else falls back and says so', () => {
    const base = { id: 'en1', locale: 'en' as const };
    expect(chooseTemplate(base, [{ id: 'it1', locale: 'it' }], 'it')).toEqual({ templateId: 'it1', locale: 'it', requested: 'it', note: null });
    expect(chooseTemplate(base, [], 'it')).toMatchObject({ templateId: 'en1', locale: 'en', requested: 'it', note: expect.stringContaining('no it version') });
    expect(chooseTemplate(base, [], 'en').note).toBeNull();
  });
});
