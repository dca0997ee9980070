/**
 * What every CLI command shares: configuration loaded once, a logger, a way to
 * open and always close the database, and one place that turns errors into a
 * readable line and an exit code (no stack traces unless LOG_LEVEL is debug).
 */
import { ConfigError, loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/connect.js';
import { DataDirInUseError } from '../db/dir-lock.js';
import { isConnectionError } from '../db/errors.js';
import { MigrationError } from '../db/migrator.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { scrubText } from '../observability/redact.js';

export const EXIT = { ok: 0, failure: 1, database: 2, usage: 64, config: 78 } as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failure) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliContext {
  config(): Config;
  log(): Logger;
  withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T>;
  /** Writes a line to stdout (results), never to the log. */
  print(line: string): void;
}

export function createCliContext(env: Record<string, string | undefined> = process.env): CliContext {
  let config: Config | undefined;
  let log: Logger | undefined;
  const ctx: CliContext = {
    config() {
      config ??= loadConfig(env);
      return config;
    },
    log() {
      // CLI logs go to stderr so stdout stays clean for results and --json.
      log ??= createLogger({ level: env.LOG_LEVEL ?? 'warn' }, process.stderr as never);
      return log;
    },
    async withDatabase(fn) {
      const database = await openDatabase(ctx.config().database, ctx.log());
      try {
        return await fn(database);
      } finally {
        await database.close();
      }
    },
    print(line) {
      process.stdout.write(line.endsWith('\n') ? line : `${line}\n`);
    },
  };
  return ctx;
}

function describeConnectionError(err: unknown, config: Config | undefined): string {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e.code ?? e.errors?.[0]?.code ?? 'error';
  let where = 'the database';
  if (config?.database.engine === 'postgres') {
    try {
      const u = new URL(config.database.url);
      where = `PostgreSQL at ${u.hostname}:${u.port || '5432'}${u.pathname}`;
    } catch {
      where = 'PostgreSQL (DATABASE_URL)';
    }
  }
  const detail = e.message && e.message.length < 200 ? `: ${scrubText(e.message)}` : '';
  return `cannot reach ${where} (${code})${detail}`;
}

/** Maps an error to the message printed and the process exit code. */
export function explainError(err: unknown, config?: Config, debug = false): { message: string; exitCode: number } {
  if (err instanceof ConfigError) return { message: err.message, exitCode: EXIT.config };
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof MigrationError && err.code === 'migration.bad_target') return { message: err.message, exitCode: EXIT.usage };
  if (err instanceof DataDirInUseError) return { message: err.message, exitCode: EXIT.database };
  if (isConnectionError(err)) return { message: describeConnectionError(err, config), exitCode: EXIT.database };
  const message = err instanceof Error ? err.message : String(err);
  const stack = debug && err instanceof Error && err.stack ? `\n${scrubText(err.stack)}` : '';
  return { message: `${scrubText(message)}${stack}`, exitCode: EXIT.failure };
}
