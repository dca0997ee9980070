import { useI18n } from '../lib/i18n';

export function SignIn() {
  const { t } = useI18n();
  const returnTo = window.location.pathname + window.location.search;
  return (
    <main id="main" className="signin">
      <h1>{t('app.title')}</h1>
      <p>{t('signin.lead')}</p>
      <a className="button primary" href={`/api/auth/login?return_to=${encodeURIComponent(returnTo)}`}>
        {t('signin.button')}
      </a>
    </main>
  );
}
