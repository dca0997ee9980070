import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { canAdmin } from '../lib/admin';
import { useSession } from '../lib/auth';
import { useDemo } from '../lib/demo';
import { type Locale, useI18n } from '../lib/i18n';

export function Layout({ children }: { children: ReactNode }) {
  const { t, locale, setLocale } = useI18n();
  const { me, can, signOut } = useSession();
  const demo = useDemo();
  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.title')}</span>
        <nav aria-label="Main">
          <NavLink to="/campaigns">{t('nav.campaigns')}</NavLink>
          {can('exclusions:read') && <NavLink to="/exclusions">{t('nav.exclusions')}</NavLink>}
          {can('templates:read') && <NavLink to="/templates">{t('nav.templates')}</NavLink>}
          {canAdmin(can) && <NavLink to="/admin">{t('nav.admin')}</NavLink>}
          {demo.data && can('emails:read') && <NavLink to="/demo/mailbox">{t('nav.demoMailbox')}</NavLink>}
          {can('admin:config') && (
            <a href="/api/docs" target="_blank" rel="noreferrer">
              API
            </a>
          )}
        </nav>
        <div className="user">
          <label>
            <span className="sr-only">{t('nav.language')}</span>
            <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)} aria-label={t('nav.language')}>
              <option value="en">English</option>
              <option value="it">Italiano</option>
            </select>
          </label>
          <span className="who" title={me.role}>
            {me.name} · {me.role.replace('_', ' ')}
          </span>
          <button type="button" className="link" onClick={() => void signOut()}>
            {t('nav.signout')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="muted">
      {t('common.loading')}
    </p>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div role="alert" className="error-box">
      <p>{error instanceof Error && error.message ? error.message : t('common.error')}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  return <span className={`badge badge-${status}`}>{t(`status.${status}` as 'status.draft')}</span>;
}
