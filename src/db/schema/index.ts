/**
 * The database as Kysely sees it. Each migration area keeps its row types in a
 * file of its own here; `DB` joins them.
 */
import type { AdminTables } from './admin.js';
import type { ApiTables } from './api.js';
import type { AuthTables } from './auth.js';
import type { ContactsImportTables } from './contacts.js';
import type { CoreTables } from './core.js';
import type { SchemaMigrationsTable } from './ledger.js';
import type { ReportingTables } from './reporting.js';

export * from './admin.js';
export * from './api.js';
export * from './auth.js';
export * from './contacts.js';
export * from './core.js';
export * from './reporting.js';
export type { SchemaMigrationsTable } from './ledger.js';

export interface DB extends CoreTables, AdminTables, ApiTables, AuthTables, ContactsImportTables, ReportingTables {
  schema_migrations: SchemaMigrationsTable;
}
