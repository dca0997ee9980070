/**
 * The audit log: who did what, when, to what. Written in the same transaction as
 * the change it records, so an audited change and its record commit together.
 */
import type { Kysely } from 'kysely';
import type { AuditOutcome, DB, UserRole } from '../db/schema/index.js';
import { maskSecretKeys } from '../observability/redact.js';

export interface AuditActor {
  readonly userId: string | null;
  readonly role: UserRole | null;
}

export interface AuditEntry {
  readonly actor: AuditActor | null;
  /** Dotted verb: `campaign.update`, `config.update`, `access.denied`, `export.create`, … */
  readonly action: string;
  readonly target?: { readonly type: string; readonly id?: string | null };
  readonly outcome?: AuditOutcome;
  /** Before/after images: secret-looking keys are masked; never put phone numbers or emails here. */
  readonly before?: Record<string, unknown> | null;
  readonly after?: Record<string, unknown> | null;
  readonly details?: Record<string, unknown> | null;
  readonly correlationId?: string | null;
}

const json = (v: Record<string, unknown> | null | undefined): string | null =>
  v == null ? null : JSON.stringify(maskSecretKeys(v));

export async function recordAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_user_id: entry.actor?.userId ?? null,
      actor_role: entry.actor?.role ?? null,
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: entry.target?.id ?? null,
      outcome: entry.outcome ?? 'success',
      before: json(entry.before),
      after: json(entry.after),
      details: json(entry.details),
      correlation_id: entry.correlationId ?? null,
    })
    .execute();
}
