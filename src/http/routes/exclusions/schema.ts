/** Exclusion-list request/response shapes. */
import { z } from 'zod';
import { EXCLUSION_SOURCES } from '../../../db/schema/core.js';
import { CsvOptionsQuery } from '../contacts/schema.js';

const region = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 region such as IT');

export const ExclusionParams = z.strictObject({ id: z.uuid('must be a UUID') });
export const ExclusionImportParams = z.strictObject({ importId: z.uuid('must be a UUID') });

export const ExclusionInput = z.strictObject({
  phone_number: z.string().min(1, 'must not be empty').max(40, 'must be at most 40 characters'),
  reason: z.string().max(500, 'must be at most 500 characters').nullable().optional(),
  region: region.optional(),
});

export const ExclusionImportQuery = z.strictObject({
  ...CsvOptionsQuery,
  reason: z.string().max(500, 'must be at most 500 characters').optional(),
  list_name: z.string().max(200, 'must be at most 200 characters').optional(),
  list_date: z.iso.date('must be a date, YYYY-MM-DD').optional(),
  region: region.optional(),
});

export const ExclusionListQuery = z.strictObject({
  search: z.string().max(40, 'must be at most 40 characters').optional(),
  source: z.enum(EXCLUSION_SOURCES).optional(),
  page: z.coerce.number().int().min(1, 'must be at least 1').max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1, 'must be between 1 and 200').max(200, 'must be between 1 and 200').default(50),
});

export const ExclusionOut = z.object({
  id: z.string(),
  /** E.164; masked without the contacts:read_pii permission. */
  phone_number: z.string(),
  reason: z.string().nullable(),
  source: z.enum(EXCLUSION_SOURCES),
  list_name: z.string().nullable(),
  list_date: z.string().nullable(),
  import_id: z.string().nullable(),
  created_at: z.string(),
});

export const ExclusionAdded = z.object({ entry: ExclusionOut, created: z.boolean(), contacts_excluded: z.number() });
export const ExclusionList = z.object({ items: z.array(ExclusionOut), page: z.number(), page_size: z.number(), total: z.number() });
