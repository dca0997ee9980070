/**
 * The one mustache renderer for email templates (subject, HTML body, text
 * body): the editor's preview and the email worker's send both go through it,
 * so what an author previews is what is sent. Mustache is logic-less; on top of
 * that this renderer:
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
import { DomainError, type FieldProblem, ValidationError } from '../errors.js';

/**
 * Variables a template may use (documented in docs/admin.md and docs/email.md).
 * `answers_included` is a section flag: non-empty when the answers are quoted.
 */
export const TEMPLATE_VARIABLES = [
  'campaign_name', 'organization_name', 'contact_external_id', 'outcome',
  'q1_question', 'q2_question', 'q3_question', 'q1_answer', 'q2_answer', 'q3_answer', 'answers_included',
] as const;
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

/** Sections nested deeper than this are refused (and never walked recursively past it). */
export const MAX_SECTION_DEPTH = 32;
/** Largest rendered field, in characters: a short template repeating a long value must not exhaust memory. */
export const MAX_RENDERED_CHARS = 1_000_000;

class RenderedTooLarge extends Error {}

// eslint-disable-next-line no-control-regex
const CONTROL_RUN = /[\u0000-\u001f\u007f\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NL_TAB = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

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
  let tooDeep = false;
  const walk = (ts: readonly Token[], depth: number) => {
    if (depth > MAX_SECTION_DEPTH) {
      if (!tooDeep) problems.push({ field, code: 'template_too_deep', message: `nests sections more than ${MAX_SECTION_DEPTH} deep` });
      tooDeep = true;
      return;
    }
    for (const t of ts) {
      const [type, value, start] = t;
      if (type === 'name' || type === '&' || type === '#' || type === '^') {
        if (value === '') problems.push({ field, code: 'template_syntax', message: `has an empty tag at ${position(source, start)}` });
        else if (!names.includes(value)) names.push(value);
      }
      if (type === '>') problems.push({ field, code: 'template_partial', message: `uses a partial ({{> ${value}}}) at ${position(source, start)}; partials are not supported` });
      if ((type === '#' || type === '^') && t[4]) walk(t[4], depth + 1);
    }
  };
  walk(tokens, 0);
  return { tokens, names, problems };
}

function renderTokens(tokens: readonly Token[], vars: TemplateVariables, mode: RenderMode, depth = 0, budget = { left: MAX_RENDERED_CHARS }): string {
  if (depth > MAX_SECTION_DEPTH) return '';
  let out = '';
  const valueOf = (name: string): string => (isKnown(name) ? (vars[name] ?? '') : '');
  const append = (piece: string) => {
    budget.left -= piece.length;
    if (budget.left < 0) throw new RenderedTooLarge();
    out += piece;
  };
  for (const t of tokens) {
    const [type, value] = t;
    switch (type) {
      case 'text':
        append(value);
        break;
      case 'name':
      case '&': {
        const v = valueOf(value);
        append(mode === 'html' ? escapeHtml(v) : mode === 'subject' ? v.replace(CONTROL_RUN, ' ') : v.replace(CONTROL_EXCEPT_NL_TAB, ''));
        break;
      }
      case '#':
        if (valueOf(value) !== '') out += renderTokens(t[4] ?? [], vars, mode, depth + 1, budget);
        break;
      case '^':
        if (valueOf(value) === '') out += renderTokens(t[4] ?? [], vars, mode, depth + 1, budget);
        break;
      default:
        // Comments, delimiter changes and (unsupported) partials render nothing.
        break;
    }
  }
  return out;
}

/** Renders a parsed field, turning an over-long result into a problem naming the field. */
function renderChecked(field: string, tokens: readonly Token[], vars: TemplateVariables, mode: RenderMode): string {
  try {
    return renderTokens(tokens, vars, mode);
  } catch (err) {
    if (!(err instanceof RenderedTooLarge)) throw err;
    throw new ValidationError('template.rendered_too_large', `The rendered ${field} would be longer than ${MAX_RENDERED_CHARS} characters.`, [
      { field, code: 'rendered_too_large', message: `renders to more than ${MAX_RENDERED_CHARS} characters with these variables` },
    ]);
  }
}

/** Renders one field (no validation; call `parseField` first to report problems). */
export function renderField(source: string, vars: TemplateVariables, mode: RenderMode): string {
  const parsed = parseField('template', source);
  const out = renderChecked('template', parsed.tokens, vars, mode);
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
    subject: renderChecked('subject', fields.subject.tokens, vars, 'subject').replace(/[\r\n]+/g, ' ').trim(),
    html: renderChecked('body_html', fields.body_html.tokens, vars, 'html'),
    text: renderChecked('body_text', fields.body_text.tokens, vars, 'text'),
    unknown_variables: used.filter((n) => !isKnown(n)).sort(),
    missing_variables: used.filter((n) => isKnown(n) && !vars[n]).sort(),
  };
}

/**
 * What the email worker sends: the three fields rendered with the event's
 * values. A template that does not parse (refused at save time, so only a
 * template changed behind the API's back) throws `email.template_invalid`.
 */
export function renderEmail(t: TemplateSource, vars: TemplateVariables): { subject: string; html: string; text: string } {
  const fields = { subject: parseField('subject', t.subject), body_html: parseField('body_html', t.body_html), body_text: parseField('body_text', t.body_text) };
  const problems = Object.values(fields).flatMap((f) => [...f.problems]);
  if (problems.length) throw new DomainError('email.template_invalid', `template cannot be rendered: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, 'invalid');
  return {
    subject: renderChecked('subject', fields.subject.tokens, vars, 'subject').replace(/\s+/g, ' ').trim(),
    html: renderChecked('body_html', fields.body_html.tokens, vars, 'html'),
    text: renderChecked('body_text', fields.body_text.tokens, vars, 'text'),
  };
}

/** Names a template uses that are not template variables. */
export function unknownVariables(t: TemplateSource): string[] {
  const used = new Set([t.subject, t.body_html, t.body_text].flatMap((s) => [...parseField('x', s).names]));
  return [...used].filter((n) => !isKnown(n)).sort();
}

const SAMPLES: Record<Language, Omit<Record<TemplateVariable, string>, 'outcome' | 'answers_included'>> = {
  en: {
    campaign_name: 'Customer satisfaction 2026',
    organization_name: 'Example Energy Ltd',
    contact_external_id: 'CRM-000123',
    q1_question: 'On a scale from 1 to 10, how satisfied are you with our service?',
    q2_question: 'How many times did you contact us this year?',
    q3_question: 'What should we improve?',
    q1_answer: '8',
    q2_answer: '2',
    q3_answer: 'Faster answers on the phone, please.',
  },
  it: {
    campaign_name: 'Soddisfazione clienti 2026',
    organization_name: 'Esempio Energia S.p.A.',
    contact_external_id: 'CRM-000123',
    q1_question: 'Su una scala da 1 a 10, quanto è soddisfatto del nostro servizio?',
    q2_question: 'Quante volte ci ha contattato quest\'anno?',
    q3_question: 'Che cosa dovremmo migliorare?',
    q1_answer: '8',
    q2_answer: '2',
    q3_answer: 'Risposte più rapide al telefono, grazie.',
  },
};

/** The documented sample values used by previews, for a template's locale and type. */
export function sampleVariables(locale: Language, type: EmailTemplateType): Record<TemplateVariable, string> {
  const answered = type === 'completed';
  const s = SAMPLES[locale];
  return {
    ...s, outcome: type, answers_included: answered ? 'yes' : '',
    q1_answer: answered ? s.q1_answer : '', q2_answer: answered ? s.q2_answer : '', q3_answer: answered ? s.q3_answer : '',
  };
}
