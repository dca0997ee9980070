/**
 * Configuration: parsed once from the environment, validated, frozen and passed
 * down from the composition root. No other module reads `process.env`.
 *
 * Every variable is documented in the README's configuration table; keep the two
 * in step (a test compares them).
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be an integer')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');

const int = (min: number, max: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** The environment variables we read, with their defaults. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], {
    message: 'must be development, test or production',
  }).default('development'),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  PORT: port.default(3000),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(500, 'must be at most 500').default(10),
  VSA_DATA_DIR: z.string().min(1, 'must not be empty').default('./.data'),
  MIGRATE_ON_START: bool.optional(),
  // ── calling engine (scheduler, reconciler, telephony webhooks) ──
  SCHEDULER_TICK_MS: int(50, 60_000).default(1000),
  CALLING_CPS: z.coerce.number({ message: 'must be a number' }).positive('must be positive').max(1000, 'must be at most 1000').default(1),
  CALLING_MAX_CONCURRENT_CALLS: int(1, 10_000).default(10),
  CALLING_WINDOW_GUARD_MINUTES: int(0, 240).default(5),
  CALLING_RING_TIMEOUT_SECONDS: int(5, 600).default(30),
  CALLING_MAX_CALL_SECONDS: int(30, 14_400).default(600),
  RECONCILER_INTERVAL_MS: int(100, 3_600_000).default(30_000),
  RECONCILER_MARGIN_SECONDS: int(0, 3600).default(120),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly http: { readonly host: string; readonly port: number };
  readonly log: { readonly level: string };
  readonly database:
    | { readonly engine: 'postgres'; readonly url: string; readonly poolMax: number; readonly migrateOnStart: boolean }
    | { readonly engine: 'pglite'; readonly dataDir: string; readonly migrateOnStart: true };
  readonly calling: CallingConfig;
}

/** Calling engine settings (see docs/calling.md). */
export interface CallingConfig {
  readonly tickMs: number;
  /** Calls per second towards the provider (token bucket). */
  readonly cps: number;
  /** Live calls across all campaigns, unless provider_configs says otherwise. */
  readonly maxConcurrentCalls: number;
  /** No call starts in the last N minutes of a calling window. */
  readonly windowGuardMinutes: number;
  readonly ringTimeoutSeconds: number;
  readonly maxCallSeconds: number;
  readonly reconcileIntervalMs: number;
  readonly reconcileMarginSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses the environment into a frozen Config. Empty strings count as unset, so
 * `PORT=` in a shell behaves like no PORT at all. Throws ConfigError naming every
 * bad variable at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') input[key] = v.trim();
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const variable = String(i.path[0] ?? '(environment)');
      const raw = input[variable];
      const shown = raw === undefined || /SECRET|PASSWORD|TOKEN|KEY|URL/.test(variable) ? '' : ` (got "${raw}")`;
      return { variable, message: `${i.message}${shown}` };
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const config: Config = {
    env: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT },
    log: { level: e.LOG_LEVEL },
    database: e.DATABASE_URL
      ? { engine: 'postgres', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, migrateOnStart: e.MIGRATE_ON_START ?? false }
      : { engine: 'pglite', dataDir: e.VSA_DATA_DIR, migrateOnStart: true },
    calling: {
      tickMs: e.SCHEDULER_TICK_MS,
      cps: e.CALLING_CPS,
      maxConcurrentCalls: e.CALLING_MAX_CONCURRENT_CALLS,
      windowGuardMinutes: e.CALLING_WINDOW_GUARD_MINUTES,
      ringTimeoutSeconds: e.CALLING_RING_TIMEOUT_SECONDS,
      maxCallSeconds: e.CALLING_MAX_CALL_SECONDS,
      reconcileIntervalMs: e.RECONCILER_INTERVAL_MS,
      reconcileMarginSeconds: e.RECONCILER_MARGIN_SECONDS,
    },
  };
  return deepFreeze(config);
}
