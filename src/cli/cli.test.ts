import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freshTarget, testEngine } from '../../test/support/db.js';
import { BIN, childEnv, runCli } from '../../test/support/cli.js';

describe('voicesurvey CLI', () => {
  it('an unreachable database is one line on stderr and exit code 2', async () => {
    const r = await runCli(['db', 'status'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^voicesurvey: cannot reach PostgreSQL at 127\.0\.0\.1:1\/nowhere \(ECONNREFUSED\)/);
    expect(r.stdout).toBe('');
  });

  it('a bad configuration names every variable, without a stack trace, exit code 78', async () => {
    const r = await runCli(['db', 'status'], { PORT: 'eighty', NODE_ENV: 'staging' });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/Invalid configuration:\n {2}NODE_ENV: .*\n {2}PORT: must be a number \(got "eighty"\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('unknown commands are usage errors (64)', async () => {
    const r = await runCli(['dance']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/unknown command 'dance'/);
  });

  it('db status / upgrade / seed / downgrade against this run\'s engine', async () => {
    const target = await freshTarget({ migrated: false });
    try {
      let r = await runCli(['db', 'status', '--json'], target.env);
      expect(r.code, r.stderr).toBe(0);
      const status = JSON.parse(r.stdout) as { engine: string; migrations: { version: string; state: string }[] };
      expect(status.engine).toBe(testEngine());
      expect(status.migrations[0]).toMatchObject({ version: '0001', state: 'pending' });

      r = await runCli(['db', 'upgrade'], target.env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^applied: 0001/);
      r = await runCli(['db', 'upgrade'], target.env);
      expect(r.stdout).toMatch(/up to date/);

      r = await runCli(['db', 'seed'], target.env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/seeded: 0001_demo\.sql/);

      r = await runCli(['db', 'downgrade', '--to', '0'], target.env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/reverted: .*0001/);
      r = await runCli(['db', 'downgrade'], target.env);
      expect(r.stdout).toMatch(/nothing to revert/);

      r = await runCli(['db', 'downgrade', '--to', 'latest'], target.env);
      expect(r.code).toBe(64);
      expect(r.stderr).toMatch(/--to must be a migration version/);
    } finally {
      await target.dispose();
    }
  }, 120_000);

  it.runIf(testEngine() === 'postgres')('two `db upgrade` processes at once: exactly one applies', async () => {
    const target = await freshTarget({ migrated: false });
    try {
      const [a, b] = await Promise.all([runCli(['db', 'upgrade'], target.env), runCli(['db', 'upgrade'], target.env)]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const outs = [a.stdout, b.stdout].sort();
      expect(outs[0]).toMatch(/^applied: 0001/);
      expect(outs[1]).toMatch(/^up to date/);
    } finally {
      await target.dispose();
    }
  }, 60_000);

  it('serve --demo answers /health, then stops cleanly on SIGTERM', async () => {
    const target = await freshTarget({ migrated: false });
    try {
      const child = spawn(process.execPath, [BIN, 'serve', '--demo'], {
        env: childEnv({ ...target.env, PORT: '0', MIGRATE_ON_START: 'true' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('close', (code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
      });
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const ready = await fetch(`${url}/ready`);
      expect(await ready.json()).toEqual({ status: 'ok', database: testEngine() });
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      expect(await closed).toBe(0);
    } finally {
      await target.dispose();
    }
  }, 120_000);
});
