/** The admin area: settings, users and roles, audit log, failed emails — each offered only with its permission. */
import type { ReactElement } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { canAdmin } from '../../lib/admin';
import { useSession } from '../../lib/auth';
import { type MessageKey, useI18n } from '../../lib/i18n';
import { AuditLog } from './AuditLog';
import { FailedEmails } from './FailedEmails';
import { Settings } from './Settings';
import { Users } from './Users';
import '../../admin.css';

const SCREENS = [
  { path: 'settings', permission: 'admin:config', label: 'admin.nav.settings', element: <Settings /> },
  { path: 'users', permission: 'admin:users', label: 'admin.nav.users', element: <Users /> },
  { path: 'audit', permission: 'admin:audit', label: 'admin.nav.audit', element: <AuditLog /> },
  { path: 'emails', permission: 'emails:read', label: 'admin.nav.emails', element: <FailedEmails /> },
] as const satisfies readonly { path: string; permission: string; label: MessageKey; element: ReactElement }[];

export function Admin() {
  const { t } = useI18n();
  const { can } = useSession();
  if (!canAdmin(can)) return <NoAccess />;
  const screens = SCREENS.filter((s) => can(s.permission));
  return (
    <section>
      <h1>{t('nav.admin')}</h1>
      <nav className="subnav" aria-label={t('admin.nav.label')}>
        {screens.map((s) => (
          <NavLink key={s.path} to={`/admin/${s.path}`}>
            {t(s.label)}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to={`/admin/${screens[0]!.path}`} replace />} />
        {screens.map((s) => (
          <Route key={s.path} path={s.path} element={s.element} />
        ))}
        <Route path="*" element={<NoAccess />} />
      </Routes>
    </section>
  );
}

export function NoAccess() {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="no-access-title">
      <h1 id="no-access-title">{t('admin.noAccess.title')}</h1>
      <p>{t('admin.noAccess.body')}</p>
    </section>
  );
}
