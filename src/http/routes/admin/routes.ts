/** Admin: runtime configuration (secrets masked), user roles, the audit log. */
import { listAudit } from '../../../commands/admin/audit-log.js';
import { changeUserRole, listUsers } from '../../../commands/admin/users.js';
import { secretBoxFor } from '../../../commands/settings/effective.js';
import { loadSettings, updateSettings, type VersionedSettingsPatch } from '../../../commands/settings/settings.js';
import { ValidationError } from '../../../domain/errors.js';
import type { ApiServices } from '../../api.js';
import { presentAuditEntry, presentSettings, presentUser } from '../../presenters/admin.js';
import { defineRoute, principalOf, type RouteDef } from '../../route.js';
import { AuditPage, AuditQueryString, ConfigUpdateBody, ConfigView, RoleBody, UserIdParams, UserListQuery, UserPage, UserView } from './schema.js';

export function adminRoutes(s: ApiServices): RouteDef[] {
  const box = secretBoxFor(s.config);
  const env = s.config.secrets.env;
  return [
    defineRoute({
      method: 'GET',
      url: '/api/admin/config',
      access: 'admin:config',
      summary: 'Read the runtime configuration',
      description: 'Telephony, LLM, email and retention settings. Secrets are never returned: each shows whether it is set, where from, and a mask.',
      tags: ['admin'],
      response: { 200: ConfigView },
      handler: async () => presentSettings(await loadSettings(s.db), box, env),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/admin/config',
      access: 'admin:config',
      summary: 'Change the runtime configuration',
      description:
        'Send only the sections and fields to change; each section must carry the `version` you read (a stale version → 409). ' +
        'Secrets: a string replaces, `null` clears, `{"env": "NAME"}` references an allowed environment variable, omitted keeps.',
      tags: ['admin'],
      body: ConfigUpdateBody,
      response: { 200: ConfigView },
      handler: async (req) => {
        const p = principalOf(req);
        const snap = await updateSettings(s.db, { patch: req.body as VersionedSettingsPatch, actor: { userId: p.userId, role: p.role }, box, correlationId: req.id });
        return presentSettings(snap, box, env);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/users',
      access: 'admin:users',
      summary: 'List users',
      description: 'Ordered by name; `q` searches the name, `role` filters; `page` and `page_size` (≤ 100), with the `total`.',
      tags: ['admin'],
      query: UserListQuery,
      response: { 200: UserPage },
      handler: async (req) => {
        const page = await listUsers(s.db, req.query);
        return { items: page.items.map(presentUser), page: req.query.page, page_size: req.query.page_size, total: page.total };
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/admin/users/:id/role',
      access: 'admin:users',
      summary: "Change a user's role",
      description: 'Audited. Demoting the last admin is refused (409).',
      tags: ['admin'],
      params: UserIdParams,
      body: RoleBody,
      response: { 200: UserView },
      handler: async (req) => {
        const p = principalOf(req);
        return presentUser(await changeUserRole(s.db, { userId: req.params.id, role: req.body.role, actor: { userId: p.userId, role: p.role }, correlationId: req.id }));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/audit',
      access: 'admin:audit',
      summary: 'Read the audit log',
      description:
        'Newest first. Filters: `action` (prefix), `actor` (user id), `target_type`, `target_id`, `outcome`, `from` (inclusive) and `to` (exclusive). ' +
        'Page with `limit` and the `next_cursor` of the previous page.',
      tags: ['admin'],
      query: AuditQueryString,
      response: { 200: AuditPage },
      handler: async (req) => {
        const { from, to, ...rest } = req.query;
        const fromDate = from ? new Date(from) : undefined;
        const toDate = to ? new Date(to) : undefined;
        if (fromDate && toDate && fromDate >= toDate) {
          throw new ValidationError('audit.invalid_range', 'The time range is empty: `from` must be before `to`.', [{ field: 'query.from', code: 'after_to', message: 'must be before `to`' }]);
        }
        const page = await listAudit(s.db, { ...rest, ...(fromDate ? { from: fromDate } : {}), ...(toDate ? { to: toDate } : {}) });
        return { items: page.items.map(presentAuditEntry), next_cursor: page.next_cursor };
      },
    }),
  ];
}
