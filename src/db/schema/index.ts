/**
 * The database as Kysely sees it. Each migration area keeps its row types in a
 * file of its own here; `DB` joins them.
 */
import type { CallAttemptsCallingColumns, CallingTables, ContactsCallingColumns } from './calling.js';
import type { AdminTables } from './admin.js';
import type { ApiTables } from './api.js';
import type { AuthTables } from './auth.js';
import type { CallAttemptsTable, ContactsTable, CoreTables } from './core.js';
import type { SchemaMigrationsTable } from './ledger.js';

export * from './admin.js';
export * from './api.js';
export * from './auth.js';
export * from './core.js';
export type { SchemaMigrationsTable } from './ledger.js';
export type { CallEventsTable } from './calling.js';

export interface DB extends Omit<CoreTables, 'call_attempts' | 'contacts'>, CallingTables, ApiTables, AdminTables, AuthTables {
  schema_migrations: SchemaMigrationsTable;
  // 0006_calling adds columns to these two.
  call_attempts: CallAttemptsTable & CallAttemptsCallingColumns;
  contacts: ContactsTable & ContactsCallingColumns;
}
