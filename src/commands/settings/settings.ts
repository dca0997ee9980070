/**
 * Reading and changing the admin settings. One row per section in
 * `app_settings` (0010); sections never saved start from the legacy
 * `provider_configs` row, else the defaults. A change locks the sections it
 * touches, checks their versions (optimistic concurrency), seals new secrets,
 * mirrors the overlapping fields into `provider_configs`, and writes the audit
 * record — all in one transaction.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB, ProviderConfigsTable } from '../../db/schema/index.js';
import type { UserRole } from '../../db/schema/core.js';
import { DomainError } from '../../domain/errors.js';
import type { SecretBox } from '../../domain/ports/secret-box.js';
import { applySettingsUpdate, defaultsFromProviderConfig, providerConfigMirror, readSection } from '../../domain/settings/settings.js';
import { SECRET_FIELDS, type Settings, SETTINGS_SECTIONS, type SettingsPatch, type SettingsSection, type StoredSecret } from '../../domain/settings/types.js';
import { maskPhone } from '../../observability/redact.js';
import { recordAudit } from '../audit.js';

export interface SectionMeta {
  /** 0 until the section is first saved. */
  readonly version: number;
  readonly updated_at: Date | null;
  readonly updated_by: { readonly id: string; readonly name: string } | null;
}

export interface SettingsSnapshot {
  readonly settings: Settings;
  readonly meta: { readonly [K in SettingsSection]: SectionMeta };
}

async function legacyProviderConfig(db: Kysely<DB>): Promise<Selectable<ProviderConfigsTable> | undefined> {
  return db
    .selectFrom('provider_configs')
    .selectAll()
    .where('provider_type', '=', 'telephony_api')
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/** The stored settings (secrets still sealed) and each section's version. */
export async function loadSettings(db: Kysely<DB>, opts: { forUpdate?: boolean } = {}): Promise<SettingsSnapshot> {
  let q = db
    .selectFrom('app_settings as s')
    .leftJoin('users as u', 'u.id', 's.updated_by')
    .select(['s.section', 's.value', 's.version', 's.updated_at', 's.updated_by', 'u.name as updated_by_name']);
  if (opts.forUpdate) q = q.forUpdate('s');
  const rows = await q.execute();
  const base = defaultsFromProviderConfig(rows.length === SETTINGS_SECTIONS.length ? undefined : await legacyProviderConfig(db));
  const settings: Record<string, unknown> = {};
  const meta: Record<string, SectionMeta> = {};
  for (const section of SETTINGS_SECTIONS) {
    const row = rows.find((r) => r.section === section);
    settings[section] = row ? readSection(section, row.value) : base[section];
    meta[section] = row
      ? { version: row.version, updated_at: row.updated_at, updated_by: row.updated_by ? { id: row.updated_by, name: row.updated_by_name ?? '' } : null }
      : { version: 0, updated_at: null, updated_by: null };
  }
  return { settings: settings as unknown as Settings, meta: meta as SettingsSnapshot['meta'] };
}

/** A settings update: each section names the version it was read at. */
export type VersionedSettingsPatch = { readonly [K in SettingsSection]?: NonNullable<SettingsPatch[K]> & { readonly version: number } };

export interface SettingsActor {
  readonly userId: string;
  readonly role: UserRole;
}

const maskEmail = (v: string): string => (v.includes('@') ? `***@${v.split('@').pop()}` : v);

/**
 * Audit image of a section: secrets reduced to whether and how they are set;
 * the caller number and email addresses partly masked (audit images carry no
 * phone numbers or emails), enough to tell a change apart.
 */
function auditImage(section: SettingsSection, value: Settings[SettingsSection]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  if (typeof out['caller_number'] === 'string') out['caller_number'] = maskPhone(out['caller_number']);
  for (const f of ['from_address', 'smtp_user']) if (typeof out[f] === 'string') out[f] = maskEmail(out[f] as string);
  for (const f of SECRET_FIELDS[section] as readonly string[]) {
    const s = out[f] as StoredSecret;
    out[f] = s === null ? null : s.kind === 'env' ? { set: true, source: 'env', env: s.name } : { set: true, source: 'stored' };
  }
  return out;
}

export async function updateSettings(
  db: Kysely<DB>,
  input: { patch: VersionedSettingsPatch; actor: SettingsActor; box: Pick<SecretBox, 'seal'>; correlationId?: string },
): Promise<SettingsSnapshot> {
  return db.transaction().execute(async (trx) => {
    const current = await loadSettings(trx, { forUpdate: true });
    const patch: Record<string, unknown> = {};
    for (const section of SETTINGS_SECTIONS) {
      const p = input.patch[section];
      if (!p) continue;
      const { version, ...fields } = p;
      const have = current.meta[section].version;
      if (version !== have) {
        throw new DomainError(
          'settings.version_conflict',
          `The ${section} settings changed since you read them (you sent version ${version}, the current version is ${have}). Reload and apply your change again.`,
          'conflict',
          { section, sent_version: version, current_version: have },
        );
      }
      patch[section] = fields;
    }
    const applied = applySettingsUpdate(current.settings, patch as SettingsPatch, input.box.seal);

    for (const section of applied.sections) {
      const value = JSON.stringify(applied.next[section]);
      const version = current.meta[section].version;
      if (version === 0) {
        // First save of this section; a concurrent first save wins the race and we report a conflict.
        const inserted = await trx
          .insertInto('app_settings')
          .values({ section, value, version: 1, updated_by: input.actor.userId })
          .onConflict((oc) => oc.column('section').doNothing())
          .returning('section')
          .executeTakeFirst();
        if (!inserted) throw new DomainError('settings.version_conflict', `The ${section} settings were saved by someone else meanwhile. Reload and apply your change again.`, 'conflict', { section, sent_version: 0 });
      } else {
        await trx
          .updateTable('app_settings')
          .set({ value, version: version + 1, updated_by: input.actor.userId })
          .where('section', '=', section)
          .where('version', '=', version)
          .executeTakeFirstOrThrow();
      }
    }

    if (applied.sections.some((s) => s !== 'email')) await mirrorProviderConfig(trx, applied.next);

    await recordAudit(trx, {
      actor: { userId: input.actor.userId, role: input.actor.role },
      action: 'config.update',
      target: { type: 'settings', id: applied.sections.join(',') },
      before: Object.fromEntries(applied.sections.map((s) => [s, auditImage(s, current.settings[s])])),
      after: Object.fromEntries(applied.sections.map((s) => [s, auditImage(s, applied.next[s])])),
      details: { changed_fields: [...applied.changed], versions: Object.fromEntries(applied.sections.map((s) => [s, current.meta[s].version + 1])) },
      correlationId: input.correlationId ?? null,
    });
    return loadSettings(trx);
  });
}

/**
 * Keeps `provider_configs` (schema 0001) in step with the settings, for readers
 * that still use it: the newest telephony row is updated, or one is created.
 */
async function mirrorProviderConfig(trx: Kysely<DB>, s: Settings): Promise<void> {
  const mirror = providerConfigMirror(s);
  const row = await legacyProviderConfig(trx);
  if (row) await trx.updateTable('provider_configs').set(mirror).where('id', '=', row.id).execute();
  else await trx.insertInto('provider_configs').values({ provider_type: 'telephony_api', ...mirror }).execute();
}
