/**
 * The built-in development identity provider: a real OpenID Connect provider
 * (`oidc-provider`) served by this same process under a path prefix, with a
 * page to pick a demo account (no password). The app's normal OIDC client signs
 * in against it over HTTP, so development exercises the production code path.
 *
 * Never used in production (configuration refuses to start without an issuer
 * there). Its signing key, cookie keys and client secret are generated at start,
 * and its grants live in memory: restarting the process signs everyone out of it.
 *
 * Tests also mount it on a separate server as "the organisation's IdP", with
 * their own accounts and claims.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { exportJWK, generateKeyPair } from 'jose';
import type { default as Provider, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from '../../../observability/logger.js';

export interface DevAccount {
  readonly sub: string;
  readonly email: string;
  readonly name: string;
  /** Shown on the sign-in page. */
  readonly description: string;
  /** Extra claims released with the `profile` scope (e.g. `roles`, `groups`). */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** One account per role, matching the seeded users (db/seeds/0001_demo.sql). */
export const DEMO_ACCOUNTS: readonly DevAccount[] = [
  { sub: 'demo-admin', email: 'admin@demo.example.org', name: 'Ada Admin', description: 'Administrator: everything, including configuration, users and the audit log', claims: { roles: ['admin'] } },
  { sub: 'demo-manager', email: 'manager@demo.example.org', name: 'Marco Manager', description: 'Campaign manager: campaigns, contacts, calls and exports', claims: { roles: ['campaign_manager'] } },
  { sub: 'demo-viewer', email: 'viewer@demo.example.org', name: 'Vera Viewer', description: 'Viewer: read-only campaigns and statistics', claims: { roles: ['viewer'] } },
];

export interface DevClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: () => readonly string[];
}

export interface DevIdpOptions {
  /** Path the provider is mounted under, e.g. `/dev-idp`. */
  readonly prefix: string;
  /** Base URL of the server it is mounted on (known after listen). */
  readonly baseUrl: () => string;
  readonly accounts?: readonly DevAccount[];
  readonly client: DevClient;
  readonly log: Logger;
  /** Label on the sign-in page. */
  readonly title?: string;
}

export interface DevIdentityProvider {
  /** `baseUrl() + prefix`. */
  issuer(): string;
  /** Registers the provider's routes (all public) on a Fastify instance. */
  plugin(app: FastifyInstance): Promise<void>;
}

/** A client registration with fresh credentials, for the app's own OIDC client. */
export function devClient(redirectUri: () => string): DevClient {
  return { clientId: 'voicesurvey-dev', clientSecret: randomBytes(24).toString('base64url'), redirectUris: () => [redirectUri()] };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const PAGE_STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
.warn{background:#fff4d6;border:2px solid #8a5a00;padding:.75rem 1rem;border-radius:.25rem}
ul{list-style:none;padding:0}li{margin:.75rem 0}
button{font:inherit;width:100%;text-align:left;padding:.75rem 1rem;border:2px solid #1f4e99;border-radius:.25rem;background:#fff;cursor:pointer}
button:hover,button:focus{background:#e8f0fc;outline:3px solid #1f4e99;outline-offset:2px}
.role{display:block;font-size:.9rem;color:#444}`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${PAGE_STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

function loginPage(title: string, action: string, accounts: readonly DevAccount[], clientId: string): string {
  const items = accounts
    .map(
      (a) => `<li><button type="submit" name="sub" value="${esc(a.sub)}">Sign in as <strong>${esc(a.name)}</strong> (${esc(a.email)})<span class="role">${esc(a.description)}</span></button></li>`,
    )
    .join('\n');
  return page(
    `Sign in — ${title}`,
    `<h1>Sign in</h1>
<p class="warn" role="note"><strong>Development only.</strong> This is the built-in development identity provider of voicesurveyagent. Anyone can sign in as any demo account without a password. Production deployments use your organisation's identity provider (set <code>OIDC_ISSUER</code>).</p>
<p>Application: <code>${esc(clientId)}</code>. Choose an account:</p>
<form method="post" action="${esc(action)}"><ul>
${items}
</ul></form>`,
  );
}

async function readForm(req: IncomingMessage, limit = 8192): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('form too large'), { statusCode: 413 });
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function quietly<T>(log: Logger, fn: () => Promise<T>): Promise<T> {
  /* eslint-disable no-console -- redirecting a library's console notices to our logger */
  const { warn, info } = console;
  const toLog = (...args: unknown[]) => log.debug({ notice: String(args[0]) }, 'oidc-provider notice');
  console.warn = toLog;
  console.info = toLog;
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.info = info;
  }
  /* eslint-enable no-console */
}

export function createDevIdentityProvider(opts: DevIdpOptions): DevIdentityProvider {
  const prefix = opts.prefix.replace(/\/+$/, '');
  const accounts = opts.accounts ?? DEMO_ACCOUNTS;
  const title = opts.title ?? 'voicesurveyagent development identity provider';
  const issuer = () => `${opts.baseUrl()}${prefix}`;
  let provider: Promise<Provider> | undefined;

  const build = async (): Promise<Provider> => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' };
    const configuration: Configuration = {
      clients: [
        {
          client_id: opts.client.clientId,
          client_secret: opts.client.clientSecret,
          redirect_uris: [...opts.client.redirectUris()],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
          id_token_signed_response_alg: 'ES256',
        },
      ],
      jwks: { keys: [jwk] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', ...new Set(accounts.flatMap((a) => Object.keys(a.claims)))] },
      // Put the profile claims in the ID token too, as many organisation IdPs do for roles/groups.
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false }, revocation: { enabled: false } },
      interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `${prefix}/interaction/${interaction.uid}` },
      async findAccount(_ctx, id) {
        const a = accounts.find((x) => x.sub === id);
        if (!a) return undefined;
        return { accountId: a.sub, claims: async () => ({ sub: a.sub, email: a.email, email_verified: true, name: a.name, ...a.claims }) };
      },
      // First-party development client: consent is implied, never asked.
      async loadExistingGrant(ctx) {
        const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
        if (grantId) return ctx.oidc.provider.Grant.find(grantId);
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
      async renderError(ctx, out) {
        ctx.type = 'html';
        ctx.body = page('Sign-in error', `<h1>Sign-in error</h1><p>${esc(String(out.error))}: ${esc(String(out.error_description ?? ''))}</p>`);
      },
      ttl: {
        AccessToken: 600,
        AuthorizationCode: 60,
        IdToken: 600,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
      },
    };
    // Loaded on first use (it is large), with its start-up notices ("unsupported
    // runtime" on Node 20, "in-memory adapter") sent to our debug log instead of
    // the console: both are expected for a development-only provider.
    const p = await quietly(opts.log, async () => {
      const { default: ProviderClass } = await import('oidc-provider');
      return new ProviderClass(issuer(), configuration);
    });
    p.on('server_error', (_ctx, err) => opts.log.error({ err }, 'development identity provider error'));
    return p;
  };
  const ready = () => {
    provider ??= build().catch((err: unknown) => {
      provider = undefined;
      throw err;
    });
    return provider;
  };

  /** Hands a request to oidc-provider with the prefix stripped (it reads `originalUrl` to rebuild URLs). */
  const delegate = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = await ready();
    reply.hijack();
    const raw = req.raw as IncomingMessage & { originalUrl?: string };
    raw.originalUrl = raw.url;
    raw.url = raw.url!.slice(prefix.length) || '/';
    await p.callback()(raw, reply.raw as ServerResponse);
  };

  return {
    issuer,
    async plugin(app) {
      await app.register(async (scope) => {
        // Leave request bodies unread: oidc-provider parses its own.
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
        const config = { access: 'public' as const };
        const hide = { hide: true };

        scope.get(`${prefix}/interaction/:uid`, { config, schema: hide }, async (req, reply) => {
          const p = await ready();
          const details = await p.interactionDetails(req.raw, reply.raw);
          const uid = (req.params as { uid: string }).uid;
          if (details.prompt.name !== 'login') {
            // Consent is implied for the development client; finish right away.
            reply.hijack();
            await p.interactionFinished(req.raw, reply.raw, { consent: {} }, { mergeWithLastSubmission: true });
            return;
          }
          return reply
            .header('cache-control', 'no-store')
            .type('text/html; charset=utf-8')
            .send(loginPage(title, `${prefix}/interaction/${encodeURIComponent(uid)}/login`, accounts, String(details.params['client_id'] ?? '')));
        });

        scope.post(`${prefix}/interaction/:uid/login`, { config, schema: hide }, async (req, reply) => {
          const p = await ready();
          await p.interactionDetails(req.raw, reply.raw); // 400s on an unknown or expired interaction
          const form = await readForm(req.raw);
          const sub = form.get('sub') ?? '';
          const account = accounts.find((a) => a.sub === sub);
          if (!account) {
            return reply.code(400).type('text/html; charset=utf-8').send(page('Unknown account', '<h1>Unknown account</h1><p>Go back and choose one of the listed accounts.</p>'));
          }
          reply.hijack();
          await p.interactionFinished(req.raw, reply.raw, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
        });

        for (const url of [prefix, `${prefix}/*`]) {
          scope.route({ method: ['GET', 'POST', 'OPTIONS', 'DELETE', 'PUT'], url, config: config as never, schema: hide, handler: delegate });
        }
      });
    },
  };
}
