import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDirLock, DataDirInUseError } from './dir-lock.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vsa-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('embedded data directory lock', () => {
  it('is held by one process: a second owner is refused, naming the holder', async () => {
    const dir = tempDir();
    // Another live process holds the lock.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, 'voicesurvey.lock'), String(other.pid));
      expect(() => acquireDirLock(dir)).toThrowError(DataDirInUseError);
      expect(() => acquireDirLock(dir)).toThrowError(new RegExp(`in use by process ${other.pid}`));
    } finally {
      other.kill();
    }
  });

  it('takes over a lock whose owner is gone, and releases it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'voicesurvey.lock'), '999999999');
    const release = acquireDirLock(dir);
    expect(readFileSync(join(dir, 'voicesurvey.lock'), 'utf8')).toBe(String(process.pid));
    expect(() => acquireDirLock(dir)).toThrowError(DataDirInUseError);
    release();
    expect(existsSync(join(dir, 'voicesurvey.lock'))).toBe(false);
  });
});
