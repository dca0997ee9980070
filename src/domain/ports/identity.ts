/**
 * Signing in through an identity provider (OpenID Connect authorization code
 * flow). The adapter talks to the provider; the core only sees claims.
 */

/** What must survive, secretly, between sending the browser away and its return. */
export interface PendingSignIn {
  /** Opaque anti-CSRF value echoed by the provider. */
  readonly state: string;
  /** Bound into the ID token; proves the token was minted for this sign-in. */
  readonly nonce: string;
  /** PKCE verifier; only its S256 challenge left this server. */
  readonly codeVerifier: string;
  /** Where to send the browser afterwards (a same-origin path). */
  readonly returnTo: string;
}

export interface IdentityProvider {
  /** Builds the provider's authorization URL for a new sign-in, with fresh state, nonce and PKCE verifier. */
  begin(returnTo: string): Promise<{ url: URL; pending: PendingSignIn }>;
  /**
   * Completes a sign-in from the callback URL the browser arrived at: checks
   * state, exchanges the code (PKCE), validates the ID token (signature,
   * audience, nonce, expiry) and returns the user's claims (ID token merged with
   * userinfo). Throws DomainError `auth.*` codes on any failure.
   */
  complete(callbackUrl: URL, pending: PendingSignIn): Promise<Record<string, unknown>>;
  /** The redirect URI registered with the provider (for documentation and errors). */
  redirectUri(): string;
}
