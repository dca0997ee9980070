/**
 * Reading the audit log: newest first, a page at a time with a keyset cursor on
 * (occurred_at, id) — stable while new entries arrive, and index-backed
 * (audit_log_occurred_at_idx). The cursor carries the timestamp at full
 * microsecond precision (a JavaScript Date would round it and skip rows).
 */
import { type Kysely, sql } from 'kysely';
import type { AuditOutcome, DB, UserRole } from '../../db/schema/index.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export interface AuditQuery {
  /** Action prefix: `template` matches `template.create`, `template.update`, … */
  readonly action?: string;
  readonly actor?: string;
  readonly target_type?: string;
  readonly target_id?: string;
  readonly outcome?: AuditOutcome;
  readonly from?: Date;
  readonly to?: Date;
  readonly limit: number;
  readonly cursor?: string;
}

export interface AuditRow {
  readonly id: string;
  readonly occurred_at: Date;
  readonly actor_user_id: string | null;
  readonly actor_name: string | null;
  readonly actor_role: UserRole | null;
  readonly action: string;
  readonly target_type: string | null;
  readonly target_id: string | null;
  readonly outcome: AuditOutcome;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly details: Record<string, unknown> | null;
  readonly correlation_id: string | null;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const parseJson = (v: unknown): Record<string, unknown> | null => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : (v as Record<string, unknown> | null));

export async function listAudit(db: Kysely<DB>, query: AuditQuery): Promise<{ items: AuditRow[]; next_cursor: string | null }> {
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .select([
      'a.id', 'a.occurred_at', 'a.actor_user_id', 'u.name as actor_name', 'a.actor_role', 'a.action', 'a.target_type', 'a.target_id',
      'a.outcome', 'a.before', 'a.after', 'a.details', 'a.correlation_id',
      sql<string>`to_char(a.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('occurred_key'),
    ]);
  if (query.action) q = q.where(sql<boolean>`a.action like ${escapeLike(query.action) + '%'} escape '\\'`);
  if (query.actor) q = q.where('a.actor_user_id', '=', query.actor);
  if (query.target_type) q = q.where('a.target_type', '=', query.target_type);
  if (query.target_id) q = q.where('a.target_id', '=', query.target_id);
  if (query.outcome) q = q.where('a.outcome', '=', query.outcome);
  if (query.from) q = q.where('a.occurred_at', '>=', query.from);
  if (query.to) q = q.where('a.occurred_at', '<', query.to);
  if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor, 2);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(at!)) decodeCursor('', 2);
    q = q.where(sql<boolean>`(a.occurred_at, a.id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await q.orderBy('a.occurred_at', 'desc').orderBy('a.id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ occurred_key: _k, ...r }) => ({ ...r, before: parseJson(r.before), after: parseJson(r.after), details: parseJson(r.details) })),
    next_cursor: rows.length > query.limit && last ? encodeCursor([last.occurred_key, last.id]) : null,
  };
}
