/** Email templates: CRUD and previews rendered with sample variables. */
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate } from '../../../commands/templates/templates.js';
import { previewTemplate, sampleVariables, type TemplateVariables } from '../../../domain/email/preview.js';
import { assertPreviewable } from '../../../domain/email/templates.js';
import type { EmailTemplateType, Language } from '../../../db/schema/core.js';
import type { ApiServices } from '../../api.js';
import { presentTemplate, presentTemplateSummary } from '../../presenters/template.js';
import { defineRoute, principalOf, type RouteDef } from '../../route.js';
import { CreateBody, IdParams, ListQuery, PreviewDraftBody, PreviewResult, PreviewSavedBody, Template, TemplatePage, UpdateBody } from './schema.js';

/** Bodies are at most 100 KB each; JSON escaping can double that. */
const TEMPLATE_BODY_LIMIT = 512 * 1024;

function preview(t: { subject: string; body_html: string; body_text: string }, locale: Language, type: EmailTemplateType, overrides: TemplateVariables | undefined) {
  const vars: TemplateVariables = { ...sampleVariables(locale, type), ...(overrides ?? {}) };
  const result = previewTemplate(t, vars);
  const used = Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return { ...result, unknown_variables: [...result.unknown_variables], missing_variables: [...result.missing_variables], variables: used };
}

export function templateRoutes(s: ApiServices): RouteDef[] {
  const actor = (req: Parameters<typeof principalOf>[0]) => {
    const p = principalOf(req);
    return { userId: p.userId, role: p.role };
  };
  return [
    defineRoute({
      method: 'GET',
      url: '/api/templates',
      access: 'templates:read',
      summary: 'List email templates',
      description: 'Ordered by name. Filter by `type` and `locale`, search the name with `q`; `page` and `page_size` (≤ 100), with the `total`.',
      tags: ['templates'],
      query: ListQuery,
      response: { 200: TemplatePage },
      handler: async (req) => {
        const page = await listTemplates(s.db, req.query);
        return { items: page.items.map(presentTemplateSummary), page: req.query.page, page_size: req.query.page_size, total: page.total };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/templates',
      access: 'templates:write',
      summary: 'Create an email template',
      tags: ['templates'],
      body: CreateBody,
      bodyLimit: TEMPLATE_BODY_LIMIT,
      response: { 201: Template },
      handler: async (req, reply) => {
        const row = await createTemplate(s.db, req.body, actor(req), req.id);
        return reply.code(201).header('location', `/api/templates/${row.id}`).send(presentTemplate(row));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/templates/preview',
      access: 'templates:write',
      summary: 'Preview an unsaved template',
      description: 'Renders a draft with the documented sample variables (overridable in `variables`). HTML values are always escaped; partials and code never run.',
      tags: ['templates'],
      body: PreviewDraftBody,
      bodyLimit: TEMPLATE_BODY_LIMIT,
      response: { 200: PreviewResult },
      handler: async (req) => {
        const { type, locale, variables, ...t } = req.body;
        assertPreviewable(t);
        return preview(t, locale, type, variables);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/templates/:id',
      access: 'templates:read',
      summary: 'Read an email template',
      tags: ['templates'],
      params: IdParams,
      response: { 200: Template },
      handler: async (req) => presentTemplate(await getTemplate(s.db, req.params.id)),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/templates/:id',
      access: 'templates:write',
      summary: 'Change an email template',
      description: 'Send the fields to change. Changing the type of a template a campaign uses for another outcome is refused (409).',
      tags: ['templates'],
      params: IdParams,
      body: UpdateBody,
      bodyLimit: TEMPLATE_BODY_LIMIT,
      response: { 200: Template },
      handler: async (req) => presentTemplate(await updateTemplate(s.db, req.params.id, req.body, actor(req), req.id)),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/templates/:id',
      access: 'templates:write',
      summary: 'Delete an email template',
      description: 'Refused (409) while a campaign that is not cancelled uses it, or when emails were sent with it.',
      tags: ['templates'],
      params: IdParams,
      handler: async (req, reply) => {
        await deleteTemplate(s.db, req.params.id, actor(req), req.id);
        return reply.code(204).send();
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/templates/:id/preview',
      access: 'templates:read',
      summary: 'Preview a saved template',
      description: 'Renders the template with the documented sample variables for its locale and type (overridable in `variables`).',
      tags: ['templates'],
      params: IdParams,
      body: PreviewSavedBody,
      response: { 200: PreviewResult },
      handler: async (req) => {
        const t = await getTemplate(s.db, req.params.id);
        return preview(t, t.locale, t.type, req.body?.variables);
      },
    }),
  ];
}
