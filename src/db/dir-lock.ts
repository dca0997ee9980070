/**
 * An embedded database directory may be opened by one process only; a second
 * PGlite on the same files would corrupt them. A lock file holding the owner's
 * pid guards it; a lock left by a process that no longer exists is taken over.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(`the embedded database in ${dir} is in use by process ${pid}; stop it first, or set DATABASE_URL to use a PostgreSQL server`);
    this.name = 'DataDirInUseError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock on `dir` for this process; returns the release function. */
export function acquireDirLock(dir: string): () => void {
  const file = join(dir, 'voicesurvey.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) throw new DataDirInUseError(dir, pid);
      if (pid === process.pid) throw new DataDirInUseError(dir, pid);
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`could not lock ${dir}`);
}
