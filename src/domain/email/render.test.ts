import { describe, expect, it } from 'vitest';
import { chooseTemplate, requestedLocale } from './locale.js';
import { lintTemplate, previewTemplate, renderEmail, SAMPLE_VALUES } from './render.js';

const tpl = (over: Partial<{ subject: string; body_html: string; body_text: string }> = {}) => ({
  subject: 'Thanks from {{organization_name}}',
  body_html: '<p>{{campaign_name}}: {{q3_answer}}</p>',
  body_text: '{{campaign_name}}: {{q3_answer}}',
  ...over,
});

describe('renderEmail', () => {
  it('escapes hostile values in HTML whatever the tag, keeps text unescaped but without control characters', () => {
    const hostile = '<script>alert("x")</script>&\u0007';
    const r = renderEmail(tpl({ body_html: '<p>{{q3_answer}}|{{{q3_answer}}}|{{& q3_answer}}</p>' }), { q3_answer: hostile });
    expect(r.html).not.toContain('<script>');
    expect(r.html.split('|')).toHaveLength(3);
    expect(r.html).toContain('&#60;script&#62;');
    const t = renderEmail(tpl(), { campaign_name: 'C', q3_answer: hostile });
    expect(t.text).toBe('C: <script>alert("x")</script>&');
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

  it('renders sections and ignores partials', () => {
    const r = renderEmail(tpl({ body_text: '{{#answers_included}}A={{q1_answer}}{{/answers_included}}{{^answers_included}}none{{/answers_included}}{{> evil}}' }), { answers_included: true, q1_answer: '7' });
    expect(r.text).toBe('A=7');
    expect(renderEmail(tpl({ body_text: '{{#answers_included}}A{{/answers_included}}{{^answers_included}}none{{/answers_included}}' }), { answers_included: false }).text).toBe('none');
  });

  it('throws a domain error on a syntax error', () => {
    expect(() => renderEmail(tpl({ body_text: '{{#open}} never closed' }), {})).toThrowError(expect.objectContaining({ code: 'email.template_invalid' }));
  });
});

describe('lintTemplate / previewTemplate', () => {
  it('reports unknown variables, partials, syntax errors and disallowed answers by field', () => {
    const problems = lintTemplate({ subject: '{{nme}}', body_html: '{{> header}}{{q1_answer}}', body_text: '{{#x}}' }, { answersAllowed: false });
    expect(problems.map((p) => `${p.field}:${p.code}`)).toEqual([
      'subject:template.unknown_variable', 'body_html:template.partial_not_allowed', 'body_html:template.answers_not_allowed', 'body_text:template.syntax',
    ]);
    expect(lintTemplate(tpl())).toEqual([]);
  });

  it('preview renders sample values and reports variables without a value', () => {
    const p = previewTemplate(tpl(), { organization_name: 'Acme', campaign_name: 'C' });
    expect(p.subject).toBe('Thanks from Acme');
    expect(p.problems).toEqual([
      expect.objectContaining({ field: 'body_html', code: 'template.missing_value' }),
      expect.objectContaining({ field: 'body_text', code: 'template.missing_value' }),
    ]);
    expect(previewTemplate(tpl(), SAMPLE_VALUES).problems).toEqual([]);
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
