/**
 * The audit trail, as reporting sees it. The audit table arrives with the API
 * migration (0003); until it is wired, app.ts passes a recorder that logs the
 * entry (ids and counts only).
 */
export interface AuditEntry {
  /** The user who acted; null for operators on the command line. */
  readonly actorUserId: string | null;
  /** Stable action name, e.g. `campaign.export`. */
  readonly action: string;
  /** What was acted on. */
  readonly targetType: string;
  readonly targetId: string;
  /** Non-personal details (row counts, options, job id). */
  readonly details: Record<string, unknown>;
}

/** Records one audit entry. Must not throw for a well-formed entry once the audit table exists. */
export type RecordAudit = (entry: AuditEntry) => Promise<void>;
