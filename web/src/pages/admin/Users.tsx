/** Users and their roles; a role change is audited, and the last admin cannot be demoted. */
import { useState } from 'react';
import { FilterBar, FilterSelect, SearchField } from '../../components/FilterBar';
import { ErrorState, Loading } from '../../components/Layout';
import { Pager } from '../../components/Pager';
import { ROLES, type Role, type User, useSetRole, useUsers } from '../../lib/admin';
import { ApiError } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { useI18n } from '../../lib/i18n';

export function Users() {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [role, setRole] = useState('');
  const [page, setPage] = useState(1);
  const users = useUsers({ q: search, role, page });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const pages = users.data ? Math.ceil(users.data.total / users.data.page_size) : 1;

  return (
    <div className="stack">
      <h2>{t('admin.users.title')}</h2>
      <p className="muted">{t('admin.users.lead')}</p>
      <FilterBar onSubmit={() => (setPage(1), setSearch(q.trim()))}>
        <SearchField label={t('admin.users.search')} value={q} onChange={setQ} maxLength={200} />
        <FilterSelect label={t('admin.users.role')} all={t('admin.users.allRoles')} options={ROLES} optionLabel={(r) => t(`admin.role.${r}`)} value={role} onChange={(v) => (setRole(v), setPage(1))} />
      </FilterBar>
      <div aria-live="polite">{message?.ok && <p className="ok-box">{message.text}</p>}</div>
      {message && !message.ok && (
        <p role="alert" className="error-box">
          {message.text}
        </p>
      )}
      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : users.data.items.length === 0 ? (
        <p className="empty">{search || role ? t('admin.users.emptyFiltered') : t('admin.users.empty')}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('admin.users.col.name')}</th>
                  <th scope="col">{t('admin.users.col.email')}</th>
                  <th scope="col">{t('admin.users.col.role')}</th>
                  <th scope="col">{t('admin.users.col.since')}</th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((u) => (
                  <UserRow key={`${u.id}-${u.role}`} user={u} onResult={setMessage} />
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} pages={pages} onPage={setPage} label={t('admin.users.pagination')} />
        </>
      )}
    </div>
  );
}

function UserRow({ user, onResult }: { user: User; onResult: (m: { ok: boolean; text: string }) => void }) {
  const { t, locale } = useI18n();
  const { me } = useSession();
  const [role, setRole] = useState<Role>(user.role);
  const setUserRole = useSetRole();
  const selectId = `role-${user.id}`;

  async function apply(e: React.FormEvent) {
    e.preventDefault();
    try {
      await setUserRole.mutateAsync({ id: user.id, role });
      onResult({ ok: true, text: t('admin.users.changed', { name: user.name, role: t(`admin.role.${role}`) }) });
    } catch (err) {
      setRole(user.role);
      onResult({ ok: false, text: err instanceof ApiError ? err.message : t('common.error') });
    }
  }

  return (
    <tr>
      <td>
        {user.name}
        {user.id === me.id && <span className="muted"> ({t('admin.users.you')})</span>}
      </td>
      <td>{user.email}</td>
      <td>
        <form className="inline-form" onSubmit={(e) => void apply(e)}>
          <label htmlFor={selectId} className="sr-only">
            {t('admin.users.roleOf', { name: user.name })}
          </label>
          <select id={selectId} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`admin.role.${r}`)}
              </option>
            ))}
          </select>
          <button type="submit" disabled={role === user.role || setUserRole.isPending} aria-label={t('admin.users.applyFor', { name: user.name })}>
            {t('admin.users.apply')}
          </button>
        </form>
      </td>
      <td>{new Date(user.created_at).toLocaleDateString(locale)}</td>
    </tr>
  );
}
