import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, freshTarget, type TestDatabase } from '../../../test/support/db.js';
import { runCli } from '../../../test/support/cli.js';
import { createUser } from '../../../test/support/factories.js';
import { createAesGcmSecretBox } from '../../adapters/crypto/aes-gcm/secret-box.js';
import { effectiveSettingsWith } from './effective.js';
import { reencryptSecrets } from './reencrypt.js';
import { loadSettings, updateSettings } from './settings.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t.close());

describe('reencryptSecrets (key rotation)', () => {
  it('re-seals secrets from a previous key under the current one, and reports what it cannot open', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const admin = await createUser(t.db, { role: 'admin' });
    const oldBox = createAesGcmSecretBox(oldKey);
    await updateSettings(t.db, {
      patch: {
        llm: { version: 0, provider: 'openai', model: 'm', api_key: 'sk-rotate-me-000000000001' },
        email: { version: 0, smtp_password: 'smtp-rotate-000000000002' },
      },
      actor: { userId: admin.id, role: 'admin' },
      box: oldBox,
    });
    const rotated = createAesGcmSecretBox(newKey, [oldKey]);
    const report = await reencryptSecrets(t.db, rotated);
    expect(report).toEqual({ reencrypted: ['email.smtp_password', 'llm.api_key'], current: [], failed: [] });

    // Only the new key is needed now.
    const onlyNew = createAesGcmSecretBox(newKey);
    const eff = await effectiveSettingsWith(t.db, onlyNew, {});
    expect(eff.llm.api_key).toBe('sk-rotate-me-000000000001');
    expect(eff.email.smtp_password).toBe('smtp-rotate-000000000002');
    expect((await loadSettings(t.db)).meta.llm.version).toBe(2);

    // Running again finds nothing stale; a key nobody has is reported, not destroyed.
    expect(await reencryptSecrets(t.db, rotated)).toEqual({ reencrypted: [], current: ['email.smtp_password', 'llm.api_key'], failed: [] });
    const stranger = await reencryptSecrets(t.db, createAesGcmSecretBox(randomBytes(32)));
    expect(stranger.failed).toEqual(['email.smtp_password', 'llm.api_key']);
    expect((await effectiveSettingsWith(t.db, onlyNew, {})).llm.api_key).toBe('sk-rotate-me-000000000001');
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'config.reencrypt').orderBy('occurred_at').execute();
    expect(audit.map((a) => a.details)).toEqual([
      { reencrypted: ['email.smtp_password', 'llm.api_key'], failed: [] },
      { reencrypted: [], failed: ['email.smtp_password', 'llm.api_key'] },
    ]);
  });

  it('`voicesurvey settings reencrypt --json` runs against this engine', async () => {
    const target = await freshTarget();
    try {
      const r = await runCli(['settings', 'reencrypt', '--json'], target.env);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ reencrypted: [], current: [], failed: [] });
    } finally {
      await target.dispose();
    }
  });
});
