/**
 * Pure sign-in rules: which role an identity provider's claims grant, which
 * profile fields we keep, and where a browser may be sent after signing in.
 */
import { USER_ROLES, type UserRole } from '../../db/schema/core.js';
import { DomainError } from '../errors.js';

/** IdP claim value → our role, e.g. `{ "vsa-admins": "admin" }`. */
export type RoleMap = Readonly<Record<string, UserRole>>;

const isRole = (v: string): v is UserRole => (USER_ROLES as readonly string[]).includes(v);

/** Most privileged first: when several claim values map, the strongest wins. */
const RANK: Record<UserRole, number> = { admin: 3, campaign_manager: 2, viewer: 1 };

/** Parses `OIDC_ROLE_MAP` (JSON object of claim value → role). Throws with a readable message. */
export function parseRoleMap(json: string): RoleMap {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('must be JSON like {"vsa-admins":"admin","vsa-managers":"campaign_manager"}');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('must be a JSON object of claim value → role');
  const out: Record<string, UserRole> = {};
  for (const [value, role] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof role !== 'string' || !isRole(role)) {
      throw new Error(`"${value}" maps to unknown role ${JSON.stringify(role)} (roles: ${USER_ROLES.join(', ')})`);
    }
    out[value] = role;
  }
  return out;
}

/** Reads a claim by name; a dotted name (`realm_access.roles`) walks nested objects when no flat claim has that name. */
export function readClaim(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  if (name in claims) return claims[name];
  let cur: unknown = claims;
  for (const part of name.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * The role the IdP grants, or null when the claim is absent or none of its
 * values maps (the caller then keeps the user row's role). Without a map, claim
 * values that are role names (`admin`, `campaign_manager`, `viewer`) count.
 */
export function roleFromClaims(claims: Readonly<Record<string, unknown>>, claimName: string | undefined, map: RoleMap | undefined): UserRole | null {
  if (!claimName) return null;
  const raw = readClaim(claims, claimName);
  const values = typeof raw === 'string' ? raw.split(/[\s,]+/).filter(Boolean) : Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
  let best: UserRole | null = null;
  for (const v of values) {
    const role = map ? (Object.hasOwn(map, v) ? map[v]! : undefined) : isRole(v) ? v : undefined;
    if (role && (!best || RANK[role] > RANK[best])) best = role;
  }
  return best;
}

export interface IdentityProfile {
  readonly subject: string;
  readonly email: string;
  readonly name: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The profile we store from ID-token/userinfo claims. Throws `auth.profile_incomplete` without an email. */
export function profileFromClaims(claims: Readonly<Record<string, unknown>>): IdentityProfile {
  const str = (k: string) => {
    const v = claims[k];
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const subject = str('sub');
  if (!subject) throw new DomainError('auth.profile_incomplete', 'The identity provider did not return a subject (sub).', 'unauthenticated');
  const preferred = str('preferred_username');
  const email = str('email') ?? (preferred && EMAIL.test(preferred) ? preferred : undefined);
  if (!email || !EMAIL.test(email)) {
    throw new DomainError(
      'auth.profile_incomplete',
      'The identity provider did not return an email address for this account; ask an administrator to release the "email" claim (scope "email") to this application.',
      'unauthenticated',
    );
  }
  const given = [str('given_name'), str('family_name')].filter(Boolean).join(' ');
  const name = str('name') ?? (given || undefined) ?? preferred ?? email;
  return { subject, email: email.toLowerCase(), name: name.slice(0, 200) };
}

/** A same-origin path to return to after sign-in; anything else (absolute URLs, `//host`, `/\host`) becomes `/`. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex -- control characters (CR/LF) would split headers
  if (/[\u0000-\u001f\\]/.test(value)) return '/';
  return value;
}
