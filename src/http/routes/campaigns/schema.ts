/**
 * Campaign request and response shapes. The console imports these, so form
 * validation in the browser is the server's validation.
 */
import { z } from 'zod';
import { CAMPAIGN_STATUSES, CONTACT_STATES, LANGUAGES, QUESTION_TYPES } from '../../../db/schema/core.js';
import { isTimeZone } from '../../../domain/campaigns/validate.js';

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'must be a time like 09:00');
const uuid = z.uuid('must be a UUID');

export const QuestionInput = z.strictObject({
  text: text(500),
  type: z.enum(QUESTION_TYPES),
  scale: z
    .strictObject({
      min: z.number().int('must be a whole number').min(0, 'must be at least 0').max(100, 'must be at most 100'),
      max: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100'),
    })
    .refine((s) => s.min < s.max, { message: 'min must be below max', path: ['min'] })
    .optional(),
});

export const CampaignInput = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  description: text(2000).nullable().optional(),
  language: z.enum(LANGUAGES).optional(),
  timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Rome').optional(),
  organization_name: text(200).optional(),
  intro_script: text(2000).optional(),
  questions: z.array(QuestionInput).length(3, 'must have exactly 3 questions').optional(),
  retry_policy: z
    .strictObject({
      max_attempts: z.number().int('must be a whole number').min(1, 'must be between 1 and 5').max(5, 'must be between 1 and 5'),
      retry_interval_minutes: z.number().int('must be a whole number').min(1, 'must be at least 1 minute').max(10080, 'must be at most 10080 minutes (a week)'),
    })
    .optional(),
  calling_window: z
    .strictObject({
      start: time,
      end: time,
      weekdays: z
        .array(z.number().int().min(1, 'days are 1 (Monday) to 7 (Sunday)').max(7, 'days are 1 (Monday) to 7 (Sunday)'))
        .min(1, 'must allow at least one day')
        .refine((d) => new Set(d).size === d.length, 'must not repeat a day')
        .optional(),
    })
    .optional(),
  require_prior_consent: z.boolean().optional(),
  phone_region: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as IT').optional(),
  scheduled_start_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).nullable().optional(),
  email_templates: z
    .strictObject({ completed: uuid.nullable().optional(), refused: uuid.nullable().optional(), not_reached: uuid.nullable().optional() })
    .optional(),
});
export type CampaignInput = z.output<typeof CampaignInput>;
export const CampaignUpdate = CampaignInput.partial();
export type CampaignUpdate = z.output<typeof CampaignUpdate>;

export const IdParams = z.strictObject({ id: uuid });

const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)));

export const CampaignListQuery = z.strictObject({
  status: csv(CAMPAIGN_STATUSES).optional(),
  q: z.string().max(200, 'must be at most 200 characters').optional(),
  created_from: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  created_to: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  page: z.coerce.number().int().min(1, 'must be at least 1').max(100000).default(1),
  page_size: z.coerce.number().int().min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100').default(20),
});
export type CampaignListQuery = z.output<typeof CampaignListQuery>;

const Counts = z.object(Object.fromEntries([['total', z.number()], ...CONTACT_STATES.map((s) => [s, z.number()])]) as Record<string, z.ZodNumber>);

export const CampaignOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  status: z.enum(CAMPAIGN_STATUSES),
  language: z.enum(LANGUAGES),
  timezone: z.string(),
  organization_name: z.string(),
  intro_script: z.string(),
  questions: z.array(z.object({ text: z.string(), type: z.enum(QUESTION_TYPES), scale: z.object({ min: z.number(), max: z.number() }).nullable() })),
  retry_policy: z.object({ max_attempts: z.number(), retry_interval_minutes: z.number() }),
  calling_window: z.object({ start: z.string(), end: z.string(), weekdays: z.array(z.number()) }),
  require_prior_consent: z.boolean(),
  phone_region: z.string(),
  scheduled_start_at: z.string().nullable(),
  email_templates: z.object({ completed: z.string().nullable(), refused: z.string().nullable(), not_reached: z.string().nullable() }),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  counts: Counts,
  can: z.object({
    edit: z.boolean(),
    activate: z.boolean(),
    pause: z.boolean(),
    resume: z.boolean(),
    complete: z.boolean(),
    cancel: z.boolean(),
    upload_contacts: z.boolean(),
    export: z.boolean(),
  }),
  editable_fields: z.array(z.string()),
});
export type CampaignOut = z.output<typeof CampaignOut>;

export const CampaignList = z.object({
  items: z.array(CampaignOut),
  page: z.number(),
  page_size: z.number(),
  total: z.number(),
});
