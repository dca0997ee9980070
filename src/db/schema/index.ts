/**
 * The database as Kysely sees it. Each migration area keeps its row types in a
 * file of its own here; `DB` joins them.
 */
import type { AdminTables } from './admin.js';
import type { ApiTables } from './api.js';
import type { AuthTables } from './auth.js';
import type { ContactsImportTables } from './contacts.js';
import type { CampaignsTable, CoreTables, EmailNotificationsTable, EmailTemplatesTable, EventsTable } from './core.js';
import type { SchemaMigrationsTable } from './ledger.js';
import type { CampaignEmailColumns, EmailSendingColumns, EmailTemplateTranslationColumns, EventRelayColumns } from './outbox.js';

export * from './admin.js';
export * from './api.js';
export * from './auth.js';
export * from './contacts.js';
export * from './core.js';
export type * from './outbox.js';
export type { SchemaMigrationsTable } from './ledger.js';

/** Core tables widened by later migrations (0008_outbox_email). */
interface WidenedTables {
  events: EventsTable & EventRelayColumns;
  email_notifications: EmailNotificationsTable & EmailSendingColumns;
  email_templates: EmailTemplatesTable & EmailTemplateTranslationColumns;
  campaigns: CampaignsTable & CampaignEmailColumns;
}

export interface DB extends Omit<CoreTables, keyof WidenedTables>, WidenedTables, AdminTables, ApiTables, AuthTables, ContactsImportTables {
  schema_migrations: SchemaMigrationsTable;
}
