/** Contact and import request/response shapes (the console imports these). */
import { z } from 'zod';
import { CALL_OUTCOMES, CONTACT_LANGUAGES, CONTACT_STATES } from '../../../db/schema/core.js';
import { CONTACT_SORTS } from '../../../commands/contacts/list-contacts.js';

const uuid = z.uuid('must be a UUID');

export const CampaignParams = z.strictObject({ id: uuid });
export const ImportParams = z.strictObject({ id: uuid, importId: uuid });

/** CSV reading options, as query parameters of an upload. */
export const CsvOptionsQuery = {
  delimiter: z.enum(['comma', 'semicolon', 'tab']).optional(),
  encoding: z.enum(['utf-8', 'latin1', 'windows-1252']).optional(),
};
export const ContactUploadQuery = z.strictObject(CsvOptionsQuery);

export const ImportReportOut = z.object({
  import_id: z.string(),
  total_rows: z.number(),
  accepted: z.number(),
  rejected: z.number(),
  duplicates: z.number(),
  excluded: z.number(),
  unknown_columns: z.array(z.string()),
  errors: z.array(z.object({ line: z.number(), field: z.string(), code: z.string(), message: z.string() })),
  errors_total: z.number(),
  /** Where the full error list downloads as CSV. */
  errors_url: z.string(),
});
export type ImportReportOut = z.output<typeof ImportReportOut>;

export const StoredImportOut = z.object({
  id: z.string(),
  kind: z.enum(['contacts', 'exclusions']),
  campaign_id: z.string().nullable(),
  file_name: z.string().nullable(),
  list_name: z.string().nullable(),
  list_date: z.string().nullable(),
  total_rows: z.number(),
  accepted: z.number(),
  rejected: z.number(),
  duplicates: z.number(),
  excluded: z.number(),
  errors_total: z.number(),
  unknown_columns: z.array(z.string()),
  created_at: z.string(),
  errors_url: z.string(),
});

export const ContactListQuery = z.strictObject({
  state: z.enum(CONTACT_STATES).optional(),
  last_outcome: z.enum(CALL_OUTCOMES).optional(),
  search: z.string().max(200, 'must be at most 200 characters').optional(),
  sort: z.enum(CONTACT_SORTS).default('created_at'),
  order: z.enum(['asc', 'desc']).optional(),
  page: z.coerce.number().int().min(1, 'must be at least 1').max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1, 'must be between 1 and 200').max(200, 'must be between 1 and 200').default(50),
});

export const ContactOut = z.object({
  id: z.string(),
  external_contact_id: z.string().nullable(),
  /** E.164; masked (`+39347*****67`) without the contacts:read_pii permission. */
  phone_number: z.string(),
  /** null without the contacts:read_pii permission. */
  email: z.string().nullable(),
  preferred_language: z.enum(CONTACT_LANGUAGES),
  has_prior_consent: z.boolean(),
  do_not_call: z.boolean(),
  state: z.enum(CONTACT_STATES),
  attempts_count: z.number(),
  last_attempt_at: z.string().nullable(),
  last_outcome: z.enum(CALL_OUTCOMES).nullable(),
  timezone: z.string().nullable(),
  created_at: z.string(),
});

export const ContactList = z.object({ items: z.array(ContactOut), page: z.number(), page_size: z.number(), total: z.number() });
