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
import type { CallAttemptsTable, ContactsTable, CoreTables, ExclusionListEntriesTable } from './core.js';
import type { DialogueTables, ExclusionListEntriesDialogueColumns } from './dialogue.js';
import type { SchemaMigrationsTable } from './ledger.js';

export * from './admin.js';
export * from './api.js';
export * from './auth.js';
export * from './calling.js';
export * from './contacts.js';
export * from './core.js';
export * from './dialogue.js';
export type { SchemaMigrationsTable } from './ledger.js';

export interface DB extends Omit<CoreTables, 'call_attempts' | 'contacts' | 'exclusion_list_entries'>, AdminTables, ApiTables, AuthTables, CallingTables, ContactsImportTables, DialogueTables {
  schema_migrations: SchemaMigrationsTable;
  call_attempts: CallAttemptsTable & CallAttemptsCallingColumns;
  contacts: ContactsTable & ContactsCallingColumns;
  exclusion_list_entries: ExclusionListEntriesTable & ExclusionListEntriesDialogueColumns;
}
