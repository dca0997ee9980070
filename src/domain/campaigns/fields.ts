/**
 * Which campaign fields may change in which status. Once calls have started the
 * survey itself (wording, questions, language, consent rule, time zone) is
 * frozen so answers stay comparable; operational settings remain adjustable.
 */
import type { CampaignStatus } from '../../db/schema/core.js';
import { DomainError } from '../errors.js';

/** Editable fields, named as in the API. */
export const CAMPAIGN_FIELDS = [
  'name',
  'description',
  'language',
  'timezone',
  'organization_name',
  'intro_script',
  'questions',
  'retry_policy',
  'calling_window',
  'require_prior_consent',
  'phone_region',
  'scheduled_start_at',
  'email_templates',
] as const;
export type CampaignField = (typeof CAMPAIGN_FIELDS)[number];

const OPERATIONAL: readonly CampaignField[] = ['name', 'description', 'retry_policy', 'calling_window', 'email_templates'];

export const EDITABLE: Readonly<Record<CampaignStatus, readonly CampaignField[]>> = {
  draft: CAMPAIGN_FIELDS,
  scheduled: CAMPAIGN_FIELDS,
  running: OPERATIONAL,
  paused: OPERATIONAL,
  completed: [],
  cancelled: [],
};

/** Throws `campaign.field_locked` (409) naming every field that cannot change now. */
export function assertEditable(status: CampaignStatus, fields: readonly CampaignField[]): void {
  const locked = fields.filter((f) => !EDITABLE[status].includes(f));
  if (locked.length === 0) return;
  const allowed = EDITABLE[status];
  throw new DomainError(
    'campaign.field_locked',
    `A ${status} campaign cannot change ${locked.join(', ')}. ${allowed.length ? `Editable now: ${allowed.join(', ')}.` : 'Nothing is editable now.'}`,
    'conflict',
    { status, locked_fields: locked, editable_fields: allowed },
  );
}
