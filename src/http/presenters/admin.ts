/** What leaves the server for admin settings (secrets masked), users and audit entries. */
import type { z } from 'zod';
import type { AuditRow } from '../../commands/admin/audit-log.js';
import type { UserRow } from '../../commands/admin/users.js';
import { openSecret } from '../../commands/settings/effective.js';
import type { SectionMeta, SettingsSnapshot } from '../../commands/settings/settings.js';
import type { SecretBox } from '../../domain/ports/secret-box.js';
import { secretView } from '../../domain/settings/settings.js';
import type { StoredSecret } from '../../domain/settings/types.js';
import type { AuditEntryView, ConfigView, UserView } from '../routes/admin/schema.js';

const meta = (m: SectionMeta) => ({ version: m.version, updated_at: m.updated_at?.toISOString() ?? null, updated_by: m.updated_by });

export function presentSettings(snap: SettingsSnapshot, box: Pick<SecretBox, 'open'>, env: Readonly<Record<string, string>>): z.infer<typeof ConfigView> {
  const { settings: s, meta: m } = snap;
  const view = (secret: StoredSecret, context: string) => secretView(secret, openSecret(secret, context, box, env));
  return {
    telephony: { ...meta(m.telephony), ...s.telephony, auth_token: view(s.telephony.auth_token, 'telephony.auth_token') },
    llm: { ...meta(m.llm), ...s.llm, forbidden_topics: [...s.llm.forbidden_topics], api_key: view(s.llm.api_key, 'llm.api_key') },
    email: { ...meta(m.email), ...s.email, smtp_password: view(s.email.smtp_password, 'email.smtp_password') },
    retention: { ...meta(m.retention), ...s.retention },
  };
}

export function presentUser(u: UserRow): z.infer<typeof UserView> {
  return { id: u.id, name: u.name, email: u.email, role: u.role, created_at: u.created_at.toISOString(), updated_at: u.updated_at.toISOString() };
}

export function presentAuditEntry(a: AuditRow): z.infer<typeof AuditEntryView> {
  return {
    id: a.id,
    occurred_at: a.occurred_at.toISOString(),
    actor: a.actor_user_id ? { user_id: a.actor_user_id, name: a.actor_name, role: a.actor_role } : null,
    action: a.action,
    target: a.target_type ? { type: a.target_type, id: a.target_id } : null,
    outcome: a.outcome,
    before: a.before,
    after: a.after,
    details: a.details,
    correlation_id: a.correlation_id,
  };
}
