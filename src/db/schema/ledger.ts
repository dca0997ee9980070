import type { ColumnType } from 'kysely';

/** The migrator's ledger (created by the migrator itself, not a migration). */
export interface SchemaMigrationsTable {
  version: string;
  name: string;
  checksum: string;
  applied_at: ColumnType<Date, Date | string | undefined, never>;
  execution_ms: number;
}
