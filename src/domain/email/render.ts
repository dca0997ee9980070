/**
 * Follow-up email rendering: Mustache (logic-less: variables and sections, no
 * code, no partials) over a fixed set of documented variables.
 *
 * Safety, whatever the template author writes:
 * - HTML part: every value is HTML-escaped before it is substituted, and the
 *   renderer itself escapes nothing further — so `{{x}}`, `{{{x}}}` and `{{& x}}`
 *   all produce the same escaped text. A respondent's answer can never inject markup.
 * - Text part: values are inserted unescaped (it is plain text) but stripped of
 *   control characters other than newline and tab.
 * - Subject: values and the result are stripped of all control characters
 *   (no header injection through CR/LF).
 * - The view has no prototype, so `{{constructor}}` and friends resolve to nothing.
 * - Partials (`{{> x}}`) render empty and are reported.
 * A variable without a value renders empty; lintTemplate/previewTemplate report
 * it when the template is saved or previewed, not at send time.
 */
import Mustache from 'mustache';
import { DomainError, type FieldProblem } from '../errors.js';

/** Every variable a template may use, with the meaning shown to template authors. */
export const TEMPLATE_VARIABLES = {
  campaign_name: 'Name of the campaign.',
  organization_name: 'Organization the survey is run for (campaign setting).',
  contact_external_id: 'The contact\'s id in your own system (from the CSV), if any.',
  outcome: 'completed, refused or not_reached.',
  q1_question: 'Text of question 1.',
  q2_question: 'Text of question 2.',
  q3_question: 'Text of question 3.',
  q1_answer: 'Answer to question 1 — only when the campaign allows quoting answers and the survey was completed.',
  q2_answer: 'Answer to question 2 (same condition).',
  q3_answer: 'Answer to question 3 (same condition).',
  answers_included: 'Section flag: {{#answers_included}}…{{/answers_included}} renders only when answers are quoted.',
} as const;

export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;
export type TemplateValues = Partial<Record<TemplateVariable, string | boolean | null | undefined>>;

const ANSWER_VARIABLES: readonly TemplateVariable[] = ['q1_answer', 'q2_answer', 'q3_answer', 'answers_included'];

export interface TemplateSource {
  readonly subject: string;
  readonly body_html: string;
  readonly body_text: string;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

type Part = 'subject' | 'body_html' | 'body_text';
const PARTS: readonly Part[] = ['subject', 'body_html', 'body_text'];

// Mustache token: [type, value, start, end, children?]
type Token = [string, string, number, number, Token[]?, ...unknown[]];

interface Usage {
  readonly name: string;
  readonly kind: 'variable' | 'unescaped' | 'section' | 'partial';
}

function collect(tokens: Token[], out: Usage[]): void {
  for (const t of tokens) {
    const [type, value] = t;
    if (type === 'name') out.push({ name: value, kind: 'variable' });
    else if (type === '&') out.push({ name: value, kind: 'unescaped' });
    else if (type === '>') out.push({ name: value, kind: 'partial' });
    else if (type === '#' || type === '^') {
      out.push({ name: value, kind: 'section' });
      if (Array.isArray(t[4])) collect(t[4], out);
    }
  }
}

function parse(source: string): { usages: Usage[] } | { error: string } {
  try {
    const usages: Usage[] = [];
    collect(Mustache.parse(source) as unknown as Token[], usages);
    return { usages };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

const isKnown = (name: string): name is TemplateVariable => Object.prototype.hasOwnProperty.call(TEMPLATE_VARIABLES, name);

export interface LintOptions {
  /** Whether the campaign quotes answers; when false, answer variables are reported (they will render empty). */
  readonly answersAllowed?: boolean;
}

/**
 * Checks a template at save/preview time: syntax, unknown variables, partials,
 * answer variables the campaign does not allow. Returns every problem, each
 * naming its field (`subject`, `body_html`, `body_text`); empty when clean.
 */
export function lintTemplate(template: TemplateSource, opts: LintOptions = {}): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const field of PARTS) {
    const parsed = parse(template[field]);
    if ('error' in parsed) {
      problems.push({ field, code: 'template.syntax', message: parsed.error });
      continue;
    }
    const seen = new Set<string>();
    for (const u of parsed.usages) {
      const key = `${u.kind}:${u.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (u.kind === 'partial') {
        problems.push({ field, code: 'template.partial_not_allowed', message: `partials ({{> ${u.name}}}) are not supported and render empty` });
      } else if (!isKnown(u.name)) {
        problems.push({ field, code: 'template.unknown_variable', message: `unknown variable "${u.name}" renders empty; known: ${Object.keys(TEMPLATE_VARIABLES).join(', ')}` });
      } else if (opts.answersAllowed === false && ANSWER_VARIABLES.includes(u.name)) {
        problems.push({ field, code: 'template.answers_not_allowed', message: `"${u.name}" renders empty: this campaign does not quote answers in emails` });
      }
    }
  }
  return problems;
}

/** The variables a template refers to (known or not), across all parts. */
export function templateVariables(template: TemplateSource): string[] {
  const names = new Set<string>();
  for (const field of PARTS) {
    const parsed = parse(template[field]);
    if ('usages' in parsed) for (const u of parsed.usages) if (u.kind !== 'partial') names.add(u.name);
  }
  return [...names].sort();
}

// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NL_TAB = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
// eslint-disable-next-line no-control-regex
const ALL_CONTROL = /[\u0000-\u001F\u007F\u2028\u2029]+/g;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);

function view(values: TemplateValues, transform: (s: string) => string): Record<string, unknown> {
  const v = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(TEMPLATE_VARIABLES) as TemplateVariable[]) {
    const raw = values[name];
    if (typeof raw === 'boolean') v[name] = raw;
    else v[name] = raw === null || raw === undefined ? '' : transform(String(raw));
  }
  return v;
}

function renderPart(source: string, v: Record<string, unknown>): string {
  // escape: identity — values are already made safe for this part.
  return Mustache.render(source, v, {}, { escape: (s: unknown) => String(s) });
}

/**
 * Renders the three parts. Missing values render empty. Throws
 * DomainError `email.template_invalid` only on a syntax error (which lintTemplate
 * reports at save time).
 */
export function renderEmail(template: TemplateSource, values: TemplateValues): RenderedEmail {
  try {
    const subject = renderPart(template.subject, view(values, (s) => s.replace(ALL_CONTROL, ' ')))
      .replace(ALL_CONTROL, ' ').replace(/\s+/g, ' ').trim();
    const html = renderPart(template.body_html, view(values, escapeHtml));
    const text = renderPart(template.body_text, view(values, (s) => s.replace(CONTROL_EXCEPT_NL_TAB, '')));
    return { subject, html, text };
  } catch (err) {
    throw new DomainError('email.template_invalid', `template cannot be rendered: ${err instanceof Error ? err.message : String(err)}`, 'invalid');
  }
}

export interface Preview extends RenderedEmail {
  /** Lint problems plus every variable the template uses that has no value in this preview. */
  readonly problems: FieldProblem[];
}

/**
 * Renders a template with sample values for the editor and reports what is
 * wrong (lint) and what would render empty with these values
 * (`template.missing_value`).
 */
export function previewTemplate(template: TemplateSource, values: TemplateValues, opts: LintOptions = {}): Preview {
  const problems = lintTemplate(template, opts);
  if (problems.some((p) => p.code === 'template.syntax')) return { subject: '', html: '', text: '', problems };
  for (const field of PARTS) {
    const parsed = parse(template[field]);
    if (!('usages' in parsed)) continue;
    const reported = new Set<string>();
    for (const u of parsed.usages) {
      if (u.kind === 'partial' || u.kind === 'section' || !isKnown(u.name) || reported.has(u.name)) continue;
      const value = values[u.name];
      if (value === undefined || value === null || value === '') {
        reported.add(u.name);
        problems.push({ field, code: 'template.missing_value', message: `"${u.name}" has no value here and renders empty` });
      }
    }
  }
  return { ...renderEmail(template, values), problems };
}

/** Sample values for previews (what an editor shows before real data exists). */
export const SAMPLE_VALUES: Readonly<Record<TemplateVariable, string | boolean>> = {
  campaign_name: 'Customer satisfaction 2026',
  organization_name: 'Example Ltd',
  contact_external_id: 'CRM-1001',
  outcome: 'completed',
  q1_question: 'From 1 to 10, how satisfied are you?',
  q2_question: 'How many times did you call us this year?',
  q3_question: 'What should we improve?',
  q1_answer: '8',
  q2_answer: '2',
  q3_answer: 'Shorter waiting times',
  answers_included: true,
};
