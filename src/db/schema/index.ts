/**
 * The database as Kysely sees it. Each migration area keeps its row types in a
 * file of its own here; `DB` joins them.
 */
import type { CoreTables, ExclusionListEntriesTable } from './core.js';
import type { DialogueTables, ExclusionCallColumn } from './dialogue.js';
import type { SchemaMigrationsTable } from './ledger.js';

export * from './core.js';
export * from './dialogue.js';
export type { SchemaMigrationsTable } from './ledger.js';

export interface DB extends CoreTables, DialogueTables {
  schema_migrations: SchemaMigrationsTable;
  /** 0007 adds `call_attempt_id`. */
  exclusion_list_entries: ExclusionListEntriesTable & ExclusionCallColumn;
}
