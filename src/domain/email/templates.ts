/**
 * Rules for email templates as saved: every problem at once, each naming its
 * field. Pure.
 */
import { EMAIL_TEMPLATE_TYPES, type EmailTemplateType, type Language, LANGUAGES } from '../../db/schema/core.js';
import { type FieldProblem, ValidationError } from '../errors.js';
import { lintTemplate } from './preview.js';

export const TEMPLATE_LIMITS = {
  nameLength: 200,
  subjectLength: 200,
  /** Per body, in UTF-8 bytes. */
  bodyBytes: 100 * 1024,
} as const;

export interface TemplateInput {
  readonly name: string;
  readonly type: EmailTemplateType;
  readonly locale: Language;
  readonly subject: string;
  readonly body_html: string;
  readonly body_text: string;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const bytes = (s: string): number => new TextEncoder().encode(s).length;

export function templateProblems(t: TemplateInput): FieldProblem[] {
  const out: FieldProblem[] = [];
  const bad = (field: string, code: string, message: string) => out.push({ field, code, message });
  if (t.name.trim() === '') bad('name', 'blank', 'must not be blank');
  else if (t.name.length > TEMPLATE_LIMITS.nameLength) bad('name', 'too_long', `must be at most ${TEMPLATE_LIMITS.nameLength} characters`);
  else if (CONTROL.test(t.name)) bad('name', 'control_characters', 'must be one line without control characters');
  if (!(EMAIL_TEMPLATE_TYPES as readonly string[]).includes(t.type)) bad('type', 'invalid_enum', `must be one of ${EMAIL_TEMPLATE_TYPES.join(', ')}`);
  if (!(LANGUAGES as readonly string[]).includes(t.locale)) bad('locale', 'invalid_enum', `must be one of ${LANGUAGES.join(', ')}`);
  if (t.subject.trim() === '') bad('subject', 'blank', 'must not be blank');
  else if (t.subject.length > TEMPLATE_LIMITS.subjectLength) bad('subject', 'too_long', `must be at most ${TEMPLATE_LIMITS.subjectLength} characters`);
  else if (/[\r\n]/.test(t.subject)) bad('subject', 'multiline', 'must be a single line');
  else if (CONTROL.test(t.subject)) bad('subject', 'control_characters', 'must not contain control characters');
  for (const field of ['body_html', 'body_text'] as const) {
    if (t[field].trim() === '') bad(field, 'blank', 'must not be blank');
    else if (bytes(t[field]) > TEMPLATE_LIMITS.bodyBytes) bad(field, 'too_large', `must be at most ${TEMPLATE_LIMITS.bodyBytes / 1024} KB (UTF-8)`);
  }
  // Syntax is only checked on fields within their limits.
  const tooBig = new Set(out.map((p) => p.field));
  for (const p of lintTemplate(t)) if (!tooBig.has(p.field)) out.push(p);
  const order = ['name', 'type', 'locale', 'subject', 'body_html', 'body_text'];
  return out.map((p, i) => ({ p, i })).sort((a, b) => order.indexOf(a.p.field) - order.indexOf(b.p.field) || a.i - b.i).map((x) => x.p);
}

/** Throws a ValidationError (422) listing every problem. */
export function assertValidTemplate(t: TemplateInput): void {
  const problems = templateProblems(t);
  if (problems.length) throw new ValidationError('template.invalid', `The template is invalid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
}

/** Limits that apply to an unsaved draft sent for preview (size only; blank fields are fine). */
export function assertPreviewable(t: { subject: string; body_html: string; body_text: string }): void {
  const problems: FieldProblem[] = [];
  if (t.subject.length > TEMPLATE_LIMITS.subjectLength) problems.push({ field: 'subject', code: 'too_long', message: `must be at most ${TEMPLATE_LIMITS.subjectLength} characters` });
  for (const field of ['body_html', 'body_text'] as const) {
    if (bytes(t[field]) > TEMPLATE_LIMITS.bodyBytes) problems.push({ field, code: 'too_large', message: `must be at most ${TEMPLATE_LIMITS.bodyBytes / 1024} KB (UTF-8)` });
  }
  if (problems.length) throw new ValidationError('template.invalid', `The template is invalid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
}
