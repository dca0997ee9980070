/** Tables added by 0003_api. */
import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, UserRole } from './core.js';

/** jsonb that may be null; written as a JSON string (portable across pg and PGlite). */
export type NullableJson = ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;

export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditLogTable {
  id: Generated<string>;
  occurred_at: GeneratedTimestamp;
  actor_user_id: string | null;
  actor_role: UserRole | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: Generated<AuditOutcome>;
  before: NullableJson;
  after: NullableJson;
  details: NullableJson;
  correlation_id: string | null;
}

export interface ApiTables {
  audit_log: AuditLogTable;
}
