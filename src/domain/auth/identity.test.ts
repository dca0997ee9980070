import { describe, expect, it } from 'vitest';
import { parseRoleMap, profileFromClaims, readClaim, roleFromClaims, safeReturnTo } from './identity.js';

describe('roleFromClaims', () => {
  const map = parseRoleMap('{"vsa-admins":"admin","vsa-managers":"campaign_manager","vsa-viewers":"viewer"}');

  it('maps claim values through the map; the strongest role wins', () => {
    expect(roleFromClaims({ groups: ['vsa-viewers', 'vsa-admins'] }, 'groups', map)).toBe('admin');
    expect(roleFromClaims({ groups: ['x', 'vsa-managers'] }, 'groups', map)).toBe('campaign_manager');
    expect(roleFromClaims({ groups: 'vsa-viewers' }, 'groups', map)).toBe('viewer');
  });

  it('is null when the claim is absent, empty, unmapped, or no claim is configured', () => {
    expect(roleFromClaims({}, 'groups', map)).toBeNull();
    expect(roleFromClaims({ groups: [] }, 'groups', map)).toBeNull();
    expect(roleFromClaims({ groups: ['admin'] }, 'groups', map)).toBeNull(); // with a map, only mapped values count
    expect(roleFromClaims({ groups: ['vsa-admins'] }, undefined, map)).toBeNull();
    expect(roleFromClaims({ groups: [42, { a: 1 }] }, 'groups', map)).toBeNull();
  });

  it('without a map, values that are role names count', () => {
    expect(roleFromClaims({ roles: ['viewer', 'campaign_manager'] }, 'roles', undefined)).toBe('campaign_manager');
    expect(roleFromClaims({ roles: ['superuser'] }, 'roles', undefined)).toBeNull();
  });

  it('reads nested claims by dotted name (Keycloak realm_access.roles)', () => {
    const claims = { realm_access: { roles: ['vsa-admins'] } };
    expect(readClaim(claims, 'realm_access.roles')).toEqual(['vsa-admins']);
    expect(roleFromClaims(claims, 'realm_access.roles', map)).toBe('admin');
    expect(roleFromClaims({ 'https://example.org/roles': ['vsa-managers'] }, 'https://example.org/roles', map)).toBe('campaign_manager');
  });

  it('does not treat inherited object keys as mapped values', () => {
    expect(roleFromClaims({ groups: ['constructor', 'toString'] }, 'groups', map)).toBeNull();
  });
});

describe('parseRoleMap', () => {
  it('rejects unknown roles and non-objects with a readable message', () => {
    expect(() => parseRoleMap('{"a":"root"}')).toThrow(/"a" maps to unknown role "root"/);
    expect(() => parseRoleMap('["admin"]')).toThrow(/JSON object/);
    expect(() => parseRoleMap('nope')).toThrow(/must be JSON/);
  });
});

describe('profileFromClaims', () => {
  it('keeps subject, lower-cased email and a name', () => {
    expect(profileFromClaims({ sub: 's1', email: 'A@B.example', name: 'Ann' })).toEqual({ subject: 's1', email: 'a@b.example', name: 'Ann' });
    expect(profileFromClaims({ sub: 's1', email: 'a@b.example', given_name: 'Ann', family_name: 'Lee' }).name).toBe('Ann Lee');
    expect(profileFromClaims({ sub: 's1', preferred_username: 'ann@corp.example' })).toMatchObject({ email: 'ann@corp.example', name: 'ann@corp.example' });
  });

  it('refuses an account without an email address (auth.profile_incomplete)', () => {
    expect(() => profileFromClaims({ sub: 's1', preferred_username: 'ann' })).toThrow(expect.objectContaining({ code: 'auth.profile_incomplete' }));
    expect(() => profileFromClaims({ email: 'a@b.example' })).toThrow(expect.objectContaining({ code: 'auth.profile_incomplete' }));
  });
});

describe('safeReturnTo', () => {
  it('keeps same-origin paths and turns everything else into /', () => {
    expect(safeReturnTo('/campaigns?status=running')).toBe('/campaigns?status=running');
    for (const bad of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '', undefined, 42, '/a\nb']) {
      expect(safeReturnTo(bad)).toBe('/');
    }
  });
});
