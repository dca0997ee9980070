/**
 * Row types of the tables and columns added by 0005_contacts_import.
 */
import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp } from './core.js';

export const IMPORT_KINDS = ['contacts', 'exclusions'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ContactImportsTable {
  id: Generated<string>;
  kind: ImportKind;
  campaign_id: string | null;
  created_by_user_id: string | null;
  file_name: string | null;
  list_name: string | null;
  /** `YYYY-MM-DD` */
  list_date: string | null;
  total_rows: Generated<number>;
  accepted: Generated<number>;
  rejected: Generated<number>;
  duplicates: Generated<number>;
  excluded: Generated<number>;
  errors_total: Generated<number>;
  unknown_columns: ColumnType<string[], string[] | undefined, string[]>;
  created_at: GeneratedTimestamp;
}

export interface ContactImportErrorsTable {
  id: Generated<string>;
  import_id: string;
  line: number;
  field: string;
  code: string;
  message: string;
}

export interface ContactsImportTables {
  contact_imports: ContactImportsTable;
  contact_import_errors: ContactImportErrorsTable;
}
