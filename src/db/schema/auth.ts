/** Tables added by 0004_auth: sessions and rotating refresh tokens. */
import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Timestamp } from './core.js';

export const SESSION_KINDS = ['browser', 'api_token'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];
export const SESSION_REVOKE_REASONS = ['logout', 'refresh_reuse', 'admin', 'role_change'] as const;
export type SessionRevokeReason = (typeof SESSION_REVOKE_REASONS)[number];

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface AuthSessionsTable {
  id: Generated<string>;
  user_id: string;
  kind: Generated<SessionKind>;
  created_at: GeneratedTimestamp;
  last_used_at: GeneratedTimestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: SessionRevokeReason | null;
  user_agent_hash: string | null;
  label: string | null;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  session_id: string;
  parent_id: string | null;
  /** sha256 (hex) of the token; the token itself is never stored. */
  token_hash: string;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface AuthTables {
  auth_sessions: AuthSessionsTable;
  refresh_tokens: RefreshTokensTable;
}
