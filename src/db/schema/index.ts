/**
 * The database as Kysely sees it. Each migration area keeps its row types in a
 * file of its own here; `DB` joins them. Generated layout: areas may add columns to
 * another area's table through `<Table><Area>Columns` interfaces.
 */
import type { AdminTables } from './admin.js';
import type { ApiTables } from './api.js';
import type { AuthTables } from './auth.js';
import type { CallAttemptsCallingColumns, CallingTables, ContactsCallingColumns } from './calling.js';
import type { ContactsImportTables } from './contacts.js';
import type { CallAttemptsTable, CampaignsTable, ContactsTable, CoreTables, EmailNotificationsTable, EmailTemplatesTable, EventsTable, ExclusionListEntriesTable } from './core.js';
import type { DialogueTables, ExclusionListEntriesDialogueColumns } from './dialogue.js';
import type { CampaignsOutboxColumns, EmailNotificationsOutboxColumns, EmailTemplatesOutboxColumns, EventsOutboxColumns } from './outbox.js';
import type { ReportingTables } from './reporting.js';
import type { SchemaMigrationsTable } from './ledger.js';

export * from './admin.js';
export * from './api.js';
export * from './auth.js';
export * from './calling.js';
export * from './contacts.js';
export * from './core.js';
export * from './dialogue.js';
export * from './reporting.js';
export type { SchemaMigrationsTable } from './ledger.js';

export interface DB extends Omit<CoreTables, 'call_attempts' | 'campaigns' | 'contacts' | 'email_notifications' | 'email_templates' | 'events' | 'exclusion_list_entries'>, AdminTables, ApiTables, AuthTables, CallingTables, ContactsImportTables, DialogueTables, ReportingTables {
  schema_migrations: SchemaMigrationsTable;
  call_attempts: CallAttemptsTable & CallAttemptsCallingColumns;
  campaigns: CampaignsTable & CampaignsOutboxColumns;
  contacts: ContactsTable & ContactsCallingColumns;
  email_notifications: EmailNotificationsTable & EmailNotificationsOutboxColumns;
  email_templates: EmailTemplatesTable & EmailTemplatesOutboxColumns;
  events: EventsTable & EventsOutboxColumns;
  exclusion_list_entries: ExclusionListEntriesTable & ExclusionListEntriesDialogueColumns;
}
