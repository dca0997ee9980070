/**
 * A small, pure mustache renderer for email templates (subject, HTML body, text
 * body). Mustache is logic-less; on top of that this renderer:
 *
 * - only ever looks up plain string variables — no functions (lambdas), no
 *   object traversal, no partials (`{{> x}}` is reported as an error and renders
 *   nothing), so a template cannot run code or read anything but its variables;
 * - HTML-escapes every value in the HTML body, including `{{{triple}}}` and
 *   `{{& name}}` tags, which elsewhere would insert raw HTML;
 * - keeps the subject on one line (line breaks in values become spaces);
 * - renders unknown or missing variables as empty and reports them.
 *
 * Parsing uses the `mustache` package's tokenizer (a fresh writer per call, so
 * nothing user-supplied is cached process-wide); rendering is ours.
 */
import Mustache from 'mustache';
import type { EmailTemplateType, Language } from '../../db/schema/core.js';
import { type FieldProblem, ValidationError } from '../errors.js';

/** Variables a template may use (documented in docs/admin.md). */
export const TEMPLATE_VARIABLES = ['campaign_name', 'organization_name', 'contact_external_id', 'outcome', 'q1_answer', 'q2_answer', 'q3_answer'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateVariables = Partial<Record<TemplateVariable, string | null>>;

export type RenderMode = 'html' | 'text' | 'subject';

export interface TemplateSource {
  readonly subject: string;
  readonly body_html: string;
  readonly body_text: string;
}

export interface Preview {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** Names used by the template that are not template variables (they render empty). */
  readonly unknown_variables: readonly string[];
  /** Template variables used by the template that had no value (they render empty). */
  readonly missing_variables: readonly string[];
}

type Token = [string, string, number, number, Token[]?, ...unknown[]];

// eslint-disable-next-line no-control-regex
const CONTROL_RUN = /[\u0000-\u001f\u007f]+/g;

const isKnown = (name: string): name is TemplateVariable => (TEMPLATE_VARIABLES as readonly string[]).includes(name);

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '/': '&#x2F;', '`': '&#x60;', '=': '&#x3D;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"'`=/]/g, (c) => HTML_ESCAPES[c]!);

/** 1-based line and column of a character offset. */
function position(source: string, offset: number): string {
  const before = source.slice(0, Math.max(0, Math.min(offset, source.length)));
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

export interface ParsedField {
  readonly tokens: readonly Token[];
  /** Every variable name referenced (values, sections), in order of first use. */
  readonly names: readonly string[];
  readonly problems: readonly FieldProblem[];
}

/** Parses one field; syntax errors and unsupported tags come back as problems naming the field. */
export function parseField(field: string, source: string): ParsedField {
  let tokens: Token[];
  try {
    tokens = new Mustache.Writer().parse(source) as Token[];
  } catch (err) {
    const message = (err as Error).message;
    const m = /^(.*) at (\d+)$/.exec(message);
    const text = m ? `${m[1]!.replace(/^Unclosed tag$/, 'unclosed tag (missing }})')} at ${position(source, Number(m[2]))}` : message;
    return { tokens: [], names: [], problems: [{ field, code: 'template_syntax', message: `has a template syntax error: ${text}` }] };
  }
  const names: string[] = [];
  const problems: FieldProblem[] = [];
  const walk = (ts: readonly Token[]) => {
    for (const t of ts) {
      const [type, value, start] = t;
      if (type === 'name' || type === '&' || type === '#' || type === '^') {
        if (value === '') problems.push({ field, code: 'template_syntax', message: `has an empty tag at ${position(source, start)}` });
        else if (!names.includes(value)) names.push(value);
      }
      if (type === '>') problems.push({ field, code: 'template_partial', message: `uses a partial ({{> ${value}}}) at ${position(source, start)}; partials are not supported` });
      if ((type === '#' || type === '^') && t[4]) walk(t[4]);
    }
  };
  walk(tokens);
  return { tokens, names, problems };
}

function renderTokens(tokens: readonly Token[], vars: TemplateVariables, mode: RenderMode): string {
  let out = '';
  const valueOf = (name: string): string => (isKnown(name) ? (vars[name] ?? '') : '');
  for (const t of tokens) {
    const [type, value] = t;
    switch (type) {
      case 'text':
        out += value;
        break;
      case 'name':
      case '&': {
        const v = valueOf(value);
        out += mode === 'html' ? escapeHtml(v) : mode === 'subject' ? v.replace(CONTROL_RUN, ' ') : v;
        break;
      }
      case '#':
        if (valueOf(value) !== '') out += renderTokens(t[4] ?? [], vars, mode);
        break;
      case '^':
        if (valueOf(value) === '') out += renderTokens(t[4] ?? [], vars, mode);
        break;
      default:
        // Comments, delimiter changes and (unsupported) partials render nothing.
        break;
    }
  }
  return out;
}

/** Renders one field (no validation; call `parseField` first to report problems). */
export function renderField(source: string, vars: TemplateVariables, mode: RenderMode): string {
  const parsed = parseField('template', source);
  const out = renderTokens(parsed.tokens, vars, mode);
  return mode === 'subject' ? out.replace(/[\r\n]+/g, ' ').trim() : out;
}

/** Syntax problems of a template's three fields (empty when it parses). */
export function lintTemplate(t: TemplateSource): FieldProblem[] {
  return [parseField('subject', t.subject), parseField('body_html', t.body_html), parseField('body_text', t.body_text)].flatMap((p) => [...p.problems]);
}

/**
 * Renders a template with the given variables. Throws a ValidationError naming
 * each field with a syntax error.
 */
export function previewTemplate(t: TemplateSource, vars: TemplateVariables): Preview {
  const fields = { subject: parseField('subject', t.subject), body_html: parseField('body_html', t.body_html), body_text: parseField('body_text', t.body_text) };
  const problems = Object.values(fields).flatMap((f) => [...f.problems]);
  if (problems.length) throw new ValidationError('template.invalid', `The template cannot be rendered: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  const used = [...new Set(Object.values(fields).flatMap((f) => [...f.names]))];
  return {
    subject: renderTokens(fields.subject.tokens, vars, 'subject').replace(/[\r\n]+/g, ' ').trim(),
    html: renderTokens(fields.body_html.tokens, vars, 'html'),
    text: renderTokens(fields.body_text.tokens, vars, 'text'),
    unknown_variables: used.filter((n) => !isKnown(n)).sort(),
    missing_variables: used.filter((n) => isKnown(n) && !vars[n]).sort(),
  };
}

/** Names a template uses that are not template variables. */
export function unknownVariables(t: TemplateSource): string[] {
  const used = new Set([t.subject, t.body_html, t.body_text].flatMap((s) => [...parseField('x', s).names]));
  return [...used].filter((n) => !isKnown(n)).sort();
}

const SAMPLES: Record<Language, Omit<Record<TemplateVariable, string>, 'outcome'>> = {
  en: {
    campaign_name: 'Customer satisfaction 2026',
    organization_name: 'Example Energy Ltd',
    contact_external_id: 'CRM-000123',
    q1_answer: '8',
    q2_answer: '2',
    q3_answer: 'Faster answers on the phone, please.',
  },
  it: {
    campaign_name: 'Soddisfazione clienti 2026',
    organization_name: 'Esempio Energia S.p.A.',
    contact_external_id: 'CRM-000123',
    q1_answer: '8',
    q2_answer: '2',
    q3_answer: 'Risposte più rapide al telefono, grazie.',
  },
};

/** The documented sample values used by previews, for a template's locale and type. */
export function sampleVariables(locale: Language, type: EmailTemplateType): Record<TemplateVariable, string> {
  const answered = type === 'completed';
  const s = SAMPLES[locale];
  return { ...s, outcome: type, q1_answer: answered ? s.q1_answer : '', q2_answer: answered ? s.q2_answer : '', q3_answer: answered ? s.q3_answer : '' };
}
