/** Follow-up email request and response shapes (the console imports these). */
import { z } from 'zod';
import { EMAIL_STATUSES, LANGUAGES } from '../../../db/schema/core.js';

const uuid = z.uuid('must be a UUID');

export const CampaignEmailParams = z.strictObject({ id: uuid });
export const CampaignEmailRetryParams = z.strictObject({ id: uuid, emailId: uuid });

export const EmailListQuery = z.strictObject({
  status: z.enum(EMAIL_STATUSES).optional(),
  /** From the previous page's `next_cursor`. */
  cursor: z.string().max(200, 'must be at most 200 characters').optional(),
  page_size: z.coerce.number().int().min(1, 'must be between 1 and 200').max(200, 'must be between 1 and 200').default(50),
});
export type EmailListQuery = z.output<typeof EmailListQuery>;

export const EmailOut = z.object({
  id: z.string(),
  campaign_id: z.string(),
  contact_id: z.string(),
  event_id: z.string(),
  template_id: z.string(),
  /** Recipient with the local part masked. */
  to: z.string(),
  status: z.enum(EMAIL_STATUSES),
  attempts: z.number(),
  locale: z.enum(LANGUAGES).nullable(),
  requested_locale: z.enum(LANGUAGES).nullable(),
  locale_note: z.string().nullable(),
  error: z.string().nullable(),
  provider_message_id: z.string().nullable(),
  message_id: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  sent_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  can: z.object({ retry: z.boolean() }),
});
export type EmailOut = z.output<typeof EmailOut>;

export const EmailList = z.object({
  items: z.array(EmailOut),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
});
