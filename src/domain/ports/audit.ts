/**
 * The audit trail, as reporting sees it: a callback, so the export commands
 * do not depend on how the log is stored. The composition root wires it to
 * `recordAudit` (src/commands/audit.ts, table audit_log from 0003).
 */
export interface AuditEntry {
  /** The user who acted; null for operators on the command line. */
  readonly actorUserId: string | null;
  /** The actor's role when known (HTTP requests); null for jobs and the CLI. */
  readonly actorRole?: 'admin' | 'campaign_manager' | 'viewer' | null;
  /** Stable action name, e.g. `export.create`. */
  readonly action: string;
  /** What was acted on. */
  readonly targetType: string;
  readonly targetId: string;
  /** Non-personal details (row counts, options, job id). */
  readonly details: Record<string, unknown>;
}

/** Records one audit entry. Must not throw for a well-formed entry once the audit table exists. */
export type RecordAudit = (entry: AuditEntry) => Promise<void>;
