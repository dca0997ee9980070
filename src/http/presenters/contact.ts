/** Exactly the contact and import fields that leave the server. */
import type { ContactListItem } from '../../commands/contacts/list-contacts.js';
import type { StoredImport } from '../../commands/contacts/import-errors.js';
import type { ImportReport } from '../../domain/contacts/index.js';
import type { ExclusionEntry } from '../../commands/exclusions/exclusions.js';
import { maskPhone } from '../../observability/redact.js';
import { errorsUrl } from '../routes/contacts/upload.js';

export function presentContact(c: ContactListItem) {
  return {
    id: c.id,
    external_contact_id: c.external_contact_id,
    phone_number: c.phone_number,
    email: c.email,
    preferred_language: c.preferred_language as 'en' | 'it' | 'auto',
    has_prior_consent: c.has_prior_consent,
    do_not_call: c.do_not_call,
    state: c.state,
    attempts_count: c.attempts_count,
    last_attempt_at: c.last_attempt_at ? c.last_attempt_at.toISOString() : null,
    last_outcome: c.last_outcome,
    timezone: c.timezone,
    created_at: c.created_at.toISOString(),
  };
}

export function presentReport(r: ImportReport, campaignId: string | null) {
  return {
    import_id: r.import_id,
    total_rows: r.total_rows,
    accepted: r.accepted,
    rejected: r.rejected,
    duplicates: r.duplicates,
    excluded: r.excluded,
    unknown_columns: [...r.unknown_columns],
    errors: r.errors.map((e) => ({ line: e.line, field: e.field, code: e.code, message: e.message })),
    errors_total: r.errors_total,
    errors_url: errorsUrl(r, campaignId),
  };
}

export function presentStoredImport(i: StoredImport) {
  return {
    id: i.id,
    kind: i.kind,
    campaign_id: i.campaign_id,
    file_name: i.file_name,
    list_name: i.list_name,
    list_date: i.list_date,
    total_rows: i.total_rows,
    accepted: i.accepted,
    rejected: i.rejected,
    duplicates: i.duplicates,
    excluded: i.excluded,
    errors_total: i.errors_total,
    unknown_columns: i.unknown_columns,
    created_at: i.created_at.toISOString(),
    errors_url: errorsUrl({ import_id: i.id }, i.campaign_id),
  };
}

export function presentExclusion(e: ExclusionEntry, showNumber: boolean) {
  return {
    id: e.id,
    phone_number: showNumber ? e.phone_number : maskPhone(e.phone_number),
    reason: e.reason,
    source: e.source,
    list_name: e.list_name,
    list_date: e.list_date,
    import_id: e.import_id,
    created_at: e.created_at.toISOString(),
  };
}
