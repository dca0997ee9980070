/**
 * `voicesurvey serve --demo` as `npm start` runs it, in a child process: it
 * says where to sign in, the demo campaign calls the simulator (fast mode
 * here), emails reach the demo mailbox, and a second start on the same data
 * resumes without errors.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../http/auth/tokens.js';
import { TEST_TOKEN_SECRET } from '../../test/support/api.js';
import { BIN, childEnv } from '../../test/support/cli.js';
import { freshTarget } from '../../test/support/db.js';

const MANAGER = 'a0000000-0000-4000-8000-000000000002';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Running {
  url: string;
  stdout: () => string;
  stderr: () => string;
  stop(): Promise<number | null>;
}

function serveDemo(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'serve', '--demo'], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && /follow-up emails land in/.test(out)) {
        resolve({
          url: m[1]!, stdout: () => out, stderr: () => err,
          stop: () => (child.kill('SIGTERM'), closed),
        });
      }
    });
    void closed.then((code) => reject(new Error(`serve --demo exited early (${code}): ${err}`)));
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('serve --demo', () => {
  it('prints where to sign in, calls the demo contacts, fills the demo mailbox, and resumes on a second start', async () => {
    const target = await freshTarget({ migrated: false });
    const dataDir = mkdtempSync(join(tmpdir(), 'vsa-serve-demo-'));
    dirs.push(dataDir);
    const env = {
      VSA_DATA_DIR: dataDir, ...target.env, PORT: '0', MIGRATE_ON_START: 'true', AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
      SIMULATOR_FAST: 'true', CALLING_CPS: '10',
    };
    const { token } = await createTokenService(TEST_TOKEN_SECRET, 900).issue({ userId: MANAGER });
    const get = async (base: string, path: string) => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, path).toBe(200);
      return res.json() as Promise<Record<string, unknown>>;
    };
    try {
      const first = await serveDemo(env);
      expect(first.stdout()).toMatch(/sign in at http:\/\/127\.0\.0\.1:\d+\/api\/auth\/login/);
      expect(first.stdout()).toMatch(/demo: "Post-visit satisfaction survey" \(running, 45 contacts\) calls the built-in simulator around the clock, in fast mode/);
      expect(first.stdout()).toMatch(/sign in as Marco Manager \(campaign manager\) or Ada Admin \(admin\).*\/demo\/mailbox/);
      expect(await get(first.url, '/api/demo')).toMatchObject({ demo: true, fast: true });
      const mail = await until('an email in the demo mailbox', async () => {
        const box = (await get(first.url, '/api/demo/mailbox')) as { total: number; items: { id: string }[] };
        return box.total > 0 ? box : undefined;
      });
      const one = await get(first.url, `/api/demo/mailbox/${mail.items[0]!.id}`);
      expect(one.html).toEqual(expect.stringContaining('<p>'));
      expect(await first.stop()).toBe(0);

      const second = await serveDemo(env);
      expect(second.stdout()).toMatch(/demo: "Post-visit satisfaction survey" \(running, \d+ contacts\)/);
      const before = mail.total;
      await until('more emails after the restart', async () => {
        const box = (await get(second.url, '/api/demo/mailbox')) as { total: number };
        return box.total > before ? box : undefined;
      });
      expect(await second.stop()).toBe(0);
      expect(second.stderr()).not.toMatch(/"level":(50|60)/);
    } finally {
      await target.dispose();
    }
  }, 180_000);
});
