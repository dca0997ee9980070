import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { lintTemplate, previewTemplate, renderField, sampleVariables } from './preview.js';
import { templateProblems } from './templates.js';

const vars = sampleVariables('en', 'completed');

describe('previewTemplate', () => {
  it('renders the documented variables in subject, HTML and text', () => {
    const p = previewTemplate(
      { subject: 'Thanks from {{organization_name}}', body_html: '<p>{{campaign_name}}: {{q1_answer}}</p>', body_text: '{{campaign_name}} ({{outcome}})' },
      vars,
    );
    expect(p).toEqual({
      subject: 'Thanks from Example Energy Ltd',
      html: '<p>Customer satisfaction 2026: 8</p>',
      text: 'Customer satisfaction 2026 (completed)',
      unknown_variables: [],
      missing_variables: [],
    });
  });

  it('HTML-escapes hostile values in the HTML body, also inside {{{triple}}} and {{& name}} tags', () => {
    const hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">';
    const p = previewTemplate(
      { subject: '{{campaign_name}}', body_html: '<p>{{campaign_name}}|{{{campaign_name}}}|{{& campaign_name}}</p>', body_text: '{{{campaign_name}}}' },
      { ...vars, campaign_name: hostile },
    );
    expect(p.html).not.toMatch(/<script|<img/);
    const escaped = '&lt;script&gt;alert(1)&lt;&#x2F;script&gt;&lt;img src&#x3D;x onerror&#x3D;&quot;alert(2)&quot;&gt;';
    expect(p.html).toBe(`<p>${escaped}|${escaped}|${escaped}</p>`);
    // Plain text is not HTML: the value is kept as typed.
    expect(p.text).toBe(hostile);
  });

  it('never runs code: no lambdas, no prototype or constructor lookups, no partials', () => {
    const t = { subject: '{{constructor}}{{__proto__}}', body_html: '{{#toString}}x{{/toString}}{{{constructor.constructor}}}{{> evil}}', body_text: '{{campaign_name.length}}' };
    expect(() => previewTemplate(t, vars)).toThrow(ValidationError); // the partial is reported
    const render = renderField('{{constructor}}|{{__proto__}}|{{#toString}}x{{/toString}}|{{{constructor.constructor}}}|{{campaign_name.length}}', vars, 'html');
    expect(render).toBe('||||');
  });

  it('reports unknown variables and renders them empty; reports missing ones', () => {
    const p = previewTemplate({ subject: 'Hi {{first_name}}', body_html: '{{q1_answer}}{{ password }}', body_text: '{{q2_answer}}' }, { ...vars, q1_answer: null, q2_answer: '' });
    expect(p.subject).toBe('Hi');
    expect(p.html).toBe('');
    expect(p.unknown_variables).toEqual(['first_name', 'password']);
    expect(p.missing_variables).toEqual(['q1_answer', 'q2_answer']);
  });

  it('renders sections on non-empty values and inverted sections on empty ones', () => {
    const p = previewTemplate({ subject: 's', body_html: '{{#q3_answer}}You said: {{q3_answer}}{{/q3_answer}}{{^q1_answer}}none{{/q1_answer}}', body_text: 't' }, { ...vars, q1_answer: '' });
    expect(p.html).toBe('You said: Faster answers on the phone, please.none');
  });

  it('keeps the subject on one line whatever the values hold', () => {
    const p = previewTemplate({ subject: 'A {{campaign_name}} B', body_html: 'x', body_text: 'y' }, { ...vars, campaign_name: 'x\r\nBcc: victim@example.org' });
    expect(p.subject).toBe('A x Bcc: victim@example.org B');
    expect(p.subject).not.toMatch(/[\r\n]/);
  });

  it('reports syntax errors with the field and position', () => {
    const problems = lintTemplate({ subject: 'Hi {{campaign_name', body_html: '{{#a}}x', body_text: 'ok {{/b}}' });
    expect(problems).toEqual([
      { field: 'subject', code: 'template_syntax', message: expect.stringMatching(/unclosed tag.*line 1, column/) },
      { field: 'body_html', code: 'template_syntax', message: expect.stringMatching(/Unclosed section "a"/) },
      { field: 'body_text', code: 'template_syntax', message: expect.stringMatching(/Unopened section "b"/) },
    ]);
  });

  it('uses Italian samples for Italian templates and blank answers for non-completed outcomes', () => {
    expect(sampleVariables('it', 'refused')).toMatchObject({ campaign_name: 'Soddisfazione clienti 2026', outcome: 'refused', q1_answer: '' });
  });
});

describe('templateProblems', () => {
  const ok = { name: 'T', type: 'completed', locale: 'en', subject: 'S', body_html: '<p>h</p>', body_text: 't' } as const;
  it('accepts a valid template', () => expect(templateProblems(ok)).toEqual([]));
  it('lists every problem at once', () => {
    const problems = templateProblems({ ...ok, name: ' ', subject: 'a\nb', body_html: 'x'.repeat(100 * 1024 + 1), body_text: '{{#x}}' });
    expect(problems.map((p) => [p.field, p.code])).toEqual([
      ['name', 'blank'],
      ['subject', 'multiline'],
      ['body_html', 'too_large'],
      ['body_text', 'template_syntax'],
    ]);
  });
  it('limits the subject to 200 characters and counts body size in UTF-8 bytes', () => {
    expect(templateProblems({ ...ok, subject: 'x'.repeat(201) })[0]).toMatchObject({ field: 'subject', code: 'too_long' });
    expect(templateProblems({ ...ok, subject: 'x'.repeat(200) })).toEqual([]);
    expect(templateProblems({ ...ok, body_text: 'é'.repeat(51 * 1024) })[0]).toMatchObject({ field: 'body_text', code: 'too_large' });
  });
});
