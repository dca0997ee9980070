/**
 * Permissions and the role → permission matrix. Every route declares one
 * permission; what each role may do is data (overridable by configuration),
 * not `if`s scattered through handlers.
 */
import { USER_ROLES, type UserRole } from '../../db/schema/core.js';

export const PERMISSIONS = [
  'campaign:read', //        list and read campaigns
  'campaign:write', //       create, edit, change status
  'campaign:test_call', //   try the dialogue in the browser before launch (nothing stored)
  'contacts:read', //        contact lists (numbers masked without contacts:read_pii)
  'contacts:read_pii', //    unmasked phone numbers
  'contacts:write', //       upload contacts
  'contacts:export', //      CSV export (contains phone numbers and answers)
  'exclusions:read',
  'exclusions:write', //     add, import
  'exclusions:delete', //    remove an entry (admin)
  'calls:read', //           call detail, turns, transcripts
  'stats:read', //           dashboards and statistics
  'templates:read',
  'templates:write',
  'emails:read',
  'emails:retry',
  'admin:config', //         provider, LLM, email, retention settings
  'admin:users', //          list users, change roles
  'admin:audit', //          read the audit log
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Route access that is not a permission: anyone, or any signed-in user. */
export type Access = Permission | 'public' | 'authenticated';

export type PermissionMatrix = Readonly<Record<UserRole, readonly Permission[]>>;

const all = [...PERMISSIONS];
export const DEFAULT_MATRIX: PermissionMatrix = {
  admin: all,
  campaign_manager: all.filter((p) => !p.startsWith('admin:') && p !== 'exclusions:delete'),
  viewer: ['campaign:read', 'contacts:read', 'stats:read', 'templates:read', 'exclusions:read'],
};

export const isPermission = (v: string): v is Permission => (PERMISSIONS as readonly string[]).includes(v);

/**
 * Parses a matrix override (JSON: `{ "viewer": ["campaign:read", …], … }`).
 * Roles not mentioned keep their defaults. Throws with a readable message.
 */
export function parseMatrix(json: string): PermissionMatrix {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('must be JSON like {"viewer":["campaign:read"]}');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('must be a JSON object keyed by role');
  const out: Record<UserRole, readonly Permission[]> = { ...DEFAULT_MATRIX };
  for (const [role, perms] of Object.entries(raw as Record<string, unknown>)) {
    if (!(USER_ROLES as readonly string[]).includes(role)) throw new Error(`unknown role "${role}" (roles: ${USER_ROLES.join(', ')})`);
    if (!Array.isArray(perms)) throw new Error(`role "${role}" must map to an array of permissions`);
    const bad = perms.filter((p) => typeof p !== 'string' || !isPermission(p));
    if (bad.length) throw new Error(`unknown permission(s) for ${role}: ${bad.join(', ')}`);
    out[role as UserRole] = perms as Permission[];
  }
  return out;
}

export function can(matrix: PermissionMatrix, role: UserRole, permission: Permission): boolean {
  return matrix[role].includes(permission);
}

/** All permissions of a role, for `/api/auth/me` and the console. */
export const permissionsOf = (matrix: PermissionMatrix, role: UserRole): readonly Permission[] => matrix[role];
