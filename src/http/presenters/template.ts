/** The fields of an email template that leave the server. */
import type { z } from 'zod';
import type { TemplateRow } from '../../commands/templates/templates.js';
import { unknownVariables } from '../../domain/email/preview.js';
import type { Template, TemplateSummary } from '../routes/templates/schema.js';

export function presentTemplateSummary(t: TemplateRow): z.infer<typeof TemplateSummary> {
  return { id: t.id, name: t.name, type: t.type, locale: t.locale, subject: t.subject, created_at: t.created_at.toISOString(), updated_at: t.updated_at.toISOString() };
}

export function presentTemplate(t: TemplateRow): z.infer<typeof Template> {
  return { ...presentTemplateSummary(t), body_html: t.body_html, body_text: t.body_text, unknown_variables: unknownVariables(t) };
}
