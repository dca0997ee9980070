/**
 * The OpenID Connect client (openid-client v6): authorization code flow with
 * PKCE (S256), state and nonce, against any standards-compliant provider — the
 * organisation's IdP or the built-in development provider.
 *
 * Discovery is lazy (first sign-in) and retried after a failure, so the server
 * starts even while the IdP is briefly unreachable, and the development
 * provider's issuer URL (which includes the port bound at listen time) is known
 * by then.
 */
import * as oidc from 'openid-client';
import { DomainError } from '../../../domain/errors.js';
import type { IdentityProvider, PendingSignIn } from '../../../domain/ports/identity.js';
import type { Logger } from '../../../observability/logger.js';

export interface OidcClientOptions {
  /** Issuer URL, or a function giving it (the development provider's depends on the bound port). */
  issuer: string | (() => string);
  clientId: string;
  clientSecret?: string;
  redirectUri: () => string;
  scopes: string;
  /** Extra authorization parameters (e.g. `prompt=login` for the development provider). */
  extraParams?: Readonly<Record<string, string>>;
  /** Permit plain-http provider URLs (development, tests on loopback). Never in production. */
  allowHttp: boolean;
  log: Logger;
  /** Network timeout for provider requests, seconds. */
  timeoutSeconds?: number;
}

function chooseAuth(meta: oidc.ServerMetadata, secret: string | undefined): oidc.ClientAuth {
  if (!secret) return oidc.None();
  // RFC 8414: absent means client_secret_basic.
  const methods = meta.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  return methods.includes('client_secret_basic') ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret);
}

/** openid-client's errors → our codes. Messages name the failure, never tokens. */
function translate(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const e = err as { code?: string; message?: string; error?: string; error_description?: string; name?: string; cause?: unknown };
  if (err instanceof oidc.AuthorizationResponseError) {
    return new DomainError('auth.idp_denied', `The identity provider refused the sign-in (${e.error ?? 'error'}${e.error_description ? `: ${e.error_description}` : ''}).`, 'unauthenticated');
  }
  // openid-client wraps oauth4webapi's precise error; read the whole cause chain.
  const chain: string[] = [];
  for (let c: unknown = err, i = 0; c && i < 5; c = (c as { cause?: unknown }).cause, i++) {
    const m = (c as { message?: unknown }).message;
    if (typeof m === 'string') chain.push(m);
  }
  const message = chain.join(' — ');
  if (/state/i.test(message) && /mismatch|unexpected|missing/i.test(message)) {
    return new DomainError('auth.state_mismatch', 'The sign-in response does not belong to this browser session (state mismatch); start signing in again.', 'unauthenticated');
  }
  if (/nonce/i.test(message)) {
    return new DomainError('auth.nonce_mismatch', 'The ID token was not issued for this sign-in (nonce mismatch); start signing in again.', 'unauthenticated');
  }
  if (err instanceof oidc.ResponseBodyError) {
    return new DomainError('auth.code_rejected', `The identity provider rejected the authorization code (${e.error ?? 'error'}); start signing in again.`, 'unauthenticated');
  }
  if (e.name === 'TypeError' && /fetch/i.test(message)) {
    return new DomainError('auth.idp_unreachable', 'The identity provider cannot be reached; try again shortly.', 'unavailable');
  }
  return new DomainError('auth.sign_in_failed', `Sign-in could not be completed: ${(chain[1] ?? chain[0] ?? 'unknown error').slice(0, 200)}.`, 'unauthenticated');
}

export function createOidcClient(opts: OidcClientOptions): IdentityProvider {
  let configuration: Promise<oidc.Configuration> | undefined;
  const issuerUrl = () => (typeof opts.issuer === 'string' ? opts.issuer : opts.issuer());

  const discover = async (): Promise<oidc.Configuration> => {
    const url = new URL(issuerUrl());
    const execute = opts.allowHttp ? [oidc.allowInsecureRequests] : [];
    const timeout = opts.timeoutSeconds ?? 10;
    let found: oidc.Configuration;
    try {
      found = await oidc.discovery(url, opts.clientId, undefined, undefined, { execute, timeout });
    } catch (err) {
      opts.log.warn({ err: { message: (err as Error).message }, issuer: url.origin }, 'OIDC discovery failed');
      throw new DomainError('auth.idp_unreachable', `The identity provider at ${url.origin} cannot be reached or is misconfigured (discovery failed); try again shortly.`, 'unavailable');
    }
    const meta = found.serverMetadata();
    const config = new oidc.Configuration(meta, opts.clientId, opts.clientSecret, chooseAuth(meta, opts.clientSecret));
    config.timeout = timeout;
    if (opts.allowHttp) oidc.allowInsecureRequests(config);
    return config;
  };
  const ready = (): Promise<oidc.Configuration> => {
    configuration ??= discover().catch((err: unknown) => {
      configuration = undefined; // retry on the next sign-in
      throw err;
    });
    return configuration;
  };

  return {
    redirectUri: opts.redirectUri,
    async begin(returnTo) {
      const config = await ready();
      const pending: PendingSignIn = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
        returnTo,
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: opts.redirectUri(),
        scope: opts.scopes,
        response_type: 'code',
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        ...opts.extraParams,
      });
      return { url, pending };
    },
    async complete(callbackUrl, pending) {
      const config = await ready();
      try {
        // openid-client checks the response against the registered redirect URI's origin and path.
        const current = new URL(opts.redirectUri());
        current.search = callbackUrl.search;
        const tokens = await oidc.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims();
        if (!idClaims) throw new DomainError('auth.sign_in_failed', 'The identity provider returned no ID token.', 'unauthenticated');
        let userinfo: Record<string, unknown> = {};
        if (config.serverMetadata().userinfo_endpoint) {
          try {
            userinfo = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub)) };
          } catch (err) {
            // The ID token alone may carry what we need; say so in the log and carry on.
            opts.log.warn({ err: { message: (err as Error).message } }, 'OIDC userinfo request failed; using ID token claims only');
          }
        }
        return { ...userinfo, ...idClaims };
      } catch (err) {
        throw translate(err);
      }
    },
  };
}
