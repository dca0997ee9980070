/** Request and response shapes of the email template routes. */
import { z } from 'zod';
import { EMAIL_TEMPLATE_TYPES, LANGUAGES } from '../../../db/schema/core.js';
import { TEMPLATE_VARIABLES } from '../../../domain/email/preview.js';

export const IdParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }) });

export const ListQuery = z.strictObject({
  type: z.enum(EMAIL_TEMPLATE_TYPES).optional(),
  locale: z.enum(LANGUAGES).optional(),
  q: z.string().max(200, 'must be at most 200 characters').optional(),
  page: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100000, 'must be at most 100000').default(1),
  page_size: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100').default(20),
});

const fields = {
  name: z.string({ message: 'must be a string' }),
  type: z.enum(EMAIL_TEMPLATE_TYPES),
  locale: z.enum(LANGUAGES),
  subject: z.string({ message: 'must be a string' }),
  body_html: z.string({ message: 'must be a string' }),
  body_text: z.string({ message: 'must be a string' }),
};

export const CreateBody = z.strictObject({ ...fields, locale: fields.locale.default('en') });

export const UpdateBody = z
  .strictObject({
    name: fields.name.optional(),
    type: fields.type.optional(),
    locale: fields.locale.optional(),
    subject: fields.subject.optional(),
    body_html: fields.body_html.optional(),
    body_text: fields.body_text.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'must change at least one field' });

export const Variables = z.strictObject(
  Object.fromEntries(TEMPLATE_VARIABLES.map((v) => [v, z.string({ message: 'must be a string or null' }).max(10_000, 'must be at most 10000 characters').nullable().optional()])) as Record<
    (typeof TEMPLATE_VARIABLES)[number],
    z.ZodOptional<z.ZodNullable<z.ZodString>>
  >,
);

/** Optional: Fastify hands an absent body over as null. */
export const PreviewSavedBody = z.strictObject({ variables: Variables.optional() }).nullish();

export const PreviewDraftBody = z.strictObject({
  subject: fields.subject,
  body_html: fields.body_html,
  body_text: fields.body_text,
  type: fields.type.default('completed'),
  locale: fields.locale.default('en'),
  variables: Variables.optional(),
});

export const TemplateSummary = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(EMAIL_TEMPLATE_TYPES),
  locale: z.enum(LANGUAGES),
  subject: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const Template = TemplateSummary.extend({
  body_html: z.string(),
  body_text: z.string(),
  /** Names used by the template that are not template variables (they render empty). */
  unknown_variables: z.array(z.string()),
});

export const TemplatePage = z.object({ items: z.array(TemplateSummary), page: z.number(), page_size: z.number(), total: z.number() });

export const PreviewResult = z.object({
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  unknown_variables: z.array(z.string()),
  missing_variables: z.array(z.string()),
  /** The values the preview used. */
  variables: z.record(z.string(), z.string()),
});
