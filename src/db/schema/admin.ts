/** Tables added by 0010_admin_settings. */
import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp } from './core.js';

export const SETTINGS_SECTIONS = ['telephony', 'llm', 'email', 'retention'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

export interface AppSettingsTable {
  section: SettingsSection;
  /** The stored section (secrets as encrypted envelopes); written as a JSON string. */
  value: ColumnType<Record<string, unknown>, string, string>;
  version: Generated<number>;
  updated_by: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface AdminTables {
  app_settings: AppSettingsTable;
}
