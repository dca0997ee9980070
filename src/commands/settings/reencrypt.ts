/**
 * Key rotation, second half: re-seals every stored secret that was encrypted
 * with an older key (see `CONFIG_ENCRYPTION_KEY_PREVIOUS`) under the current
 * key, in one transaction. Secrets that do not open with any configured key are
 * left untouched and reported (an admin must re-enter them).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema/index.js';
import type { SecretBox } from '../../domain/ports/secret-box.js';
import { readSection } from '../../domain/settings/settings.js';
import { SECRET_FIELDS, type StoredSecret } from '../../domain/settings/types.js';
import { recordAudit } from '../audit.js';

export interface ReencryptReport {
  /** `section.field` re-sealed under the current key. */
  readonly reencrypted: readonly string[];
  /** `section.field` already under the current key. */
  readonly current: readonly string[];
  /** `section.field` that no configured key opens. */
  readonly failed: readonly string[];
}

export async function reencryptSecrets(db: Kysely<DB>, box: SecretBox): Promise<ReencryptReport> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('app_settings').select(['section', 'value', 'version']).orderBy('section').forUpdate().execute();
    const reencrypted: string[] = [];
    const current: string[] = [];
    const failed: string[] = [];
    for (const row of rows) {
      const value: Record<string, unknown> = { ...readSection(row.section, row.value) };
      let changed = false;
      for (const field of SECRET_FIELDS[row.section] as readonly string[]) {
        const secret = value[field] as StoredSecret;
        if (secret?.kind !== 'encrypted') continue;
        const context = `${row.section}.${field}`;
        if (!box.isStale(secret.envelope)) {
          current.push(context);
          continue;
        }
        try {
          value[field] = { kind: 'encrypted', envelope: box.seal(box.open(secret.envelope, context), context) };
          reencrypted.push(context);
          changed = true;
        } catch {
          failed.push(context);
        }
      }
      if (changed) {
        await trx.updateTable('app_settings').set({ value: JSON.stringify(value), version: row.version + 1 }).where('section', '=', row.section).execute();
      }
    }
    if (reencrypted.length || failed.length) {
      await recordAudit(trx, { actor: null, action: 'config.reencrypt', target: { type: 'settings', id: null }, details: { reencrypted, failed } });
    }
    return { reencrypted, current, failed };
  });
}
