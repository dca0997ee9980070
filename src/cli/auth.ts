import type { Command } from 'commander';
import { createApiTokenSession, revokeSession } from '../commands/auth/sessions.js';
import { recordAudit } from '../commands/audit.js';
import { createTokenService } from '../http/auth/tokens.js';
import { CliError, EXIT, type CliContext } from './context.js';

const MAX_TTL_SECONDS = 365 * 86400;

/** Accepts `3600`, `90s`, `45m`, `12h`, `30d`. */
export function parseTtl(value: string): number {
  const m = /^(\d+)\s*([smhd]?)$/i.exec(value.trim());
  if (!m) throw new CliError(`--ttl must be a duration like 3600, 45m, 12h or 30d (got "${value}")`, EXIT.usage);
  const n = Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const)[m[2]!.toLowerCase() as '' | 's' | 'm' | 'h' | 'd'];
  if (n < 60 || n > MAX_TTL_SECONDS) throw new CliError('--ttl must be between 1 minute and 365 days', EXIT.usage);
  return n;
}

export function registerAuthCommands(program: Command, ctx: CliContext): void {
  const auth = program.command('auth').description('sign-in and API tokens');

  auth
    .command('token')
    .description('issue a bearer token for an API client, acting as an existing user (prints the token on stdout)')
    .requiredOption('--user <email-or-sub>', "the user's email address or OIDC subject")
    .option('--ttl <duration>', 'lifetime: seconds or 45m, 12h, 30d', '30d')
    .option('--label <text>', 'what the token is for (kept with it, shown in the audit log)')
    .option('--json', 'print JSON with the token, its id and expiry')
    .action(async (opts: { user: string; ttl: string; label?: string; json?: boolean }) => {
      const ttl = parseTtl(opts.ttl);
      const config = ctx.config();
      if (config.auth.tokenSecretEphemeral) {
        throw new CliError('set AUTH_TOKEN_SECRET to the value the API servers use: without it they would not accept the token', EXIT.config);
      }
      await ctx.withDatabase(async ({ db }) => {
        const who = opts.user.trim();
        const user = await db
          .selectFrom('users')
          .select(['id', 'role'])
          .where((eb) => eb.or([eb('oidc_sub', '=', who), eb('email', '=', who.toLowerCase())]))
          .executeTakeFirst();
        if (!user) throw new CliError(`no user with email or subject "${who}" (users appear after their first sign-in)`);
        const { sessionId, expiresAt } = await createApiTokenSession(db, user.id, ttl, opts.label ?? null);
        await recordAudit(db, {
          actor: null,
          action: 'auth.token_issue',
          target: { type: 'session', id: sessionId },
          details: { user_id: user.id, ttl_seconds: ttl, via: 'cli', label: opts.label ?? null },
        });
        const tokens = createTokenService(config.auth.tokenSecret, config.auth.accessTokenTtlSeconds);
        const { token } = await tokens.issue({ userId: user.id, sessionId }, { ttlSeconds: ttl });
        if (opts.json) ctx.print(JSON.stringify({ token, token_id: sessionId, user_id: user.id, role: user.role, expires_at: expiresAt.toISOString() }));
        else ctx.print(token);
      });
    });

  auth
    .command('revoke')
    .description('revoke an API token or a browser session by its id (token_id from `auth token --json`)')
    .argument('<id>', 'session or token id')
    .action(async (id: string) => {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new CliError(`"${id}" is not a token id (UUID)`, EXIT.usage);
      await ctx.withDatabase(async ({ db }) => {
        const revoked = await revokeSession(db, id, 'admin', null);
        ctx.print(revoked ? `revoked ${id}` : `nothing to revoke: ${id} is unknown or already revoked`);
      });
    });
}
