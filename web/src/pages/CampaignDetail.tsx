import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ContactsPanel } from '../components/ContactsPanel';
import { Dashboard } from '../components/Dashboard';
import { ErrorState, Loading, StatusBadge } from '../components/Layout';
import { TestCall } from '../components/TestCall';
import { useSession } from '../lib/auth';
import { ApiError } from '../lib/api';
import { useCampaign, useCampaignAction } from '../lib/campaigns';
import { type MessageKey, useI18n } from '../lib/i18n';

type Action = 'activate' | 'pause' | 'resume' | 'complete' | 'cancel';

export function CampaignDetail() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const { can } = useSession();
  const campaign = useCampaign(id);
  const act = useCampaignAction(id);
  const [problem, setProblem] = useState<ApiError | null>(null);

  if (campaign.isPending) return <Loading />;
  if (campaign.isError) return <ErrorState error={campaign.error} onRetry={() => void campaign.refetch()} />;
  const c = campaign.data;

  async function run(action: Action) {
    if (action === 'cancel' && !window.confirm(t('detail.confirmCancel'))) return;
    setProblem(null);
    try {
      await act.mutateAsync(action);
    } catch (err) {
      if (err instanceof ApiError) setProblem(err);
      else throw err;
    }
  }

  const actions: Action[] = (['activate', 'pause', 'resume', 'complete', 'cancel'] as const).filter((a) => c.can[a]);
  const days = c.calling_window.weekdays.map((d) => t(`day.${d}` as MessageKey)).join(' ');

  return (
    <section>
      <div className="page-head">
        <div>
          <Link to="/campaigns">← {t('nav.campaigns')}</Link>
          <h1>
            {c.name} <StatusBadge status={c.status} />
          </h1>
          {c.description && <p className="muted">{c.description}</p>}
        </div>
        <div className="actions">
          {can('campaign:test_call') && (
            <a className="button" href="#test-call">
              {t('testcall.title')}
            </a>
          )}
          {c.can.edit && (
            <Link className="button" to={`/campaigns/${c.id}/edit`}>
              {t('detail.edit')}
            </Link>
          )}
          {actions.map((a) => (
            <button key={a} type="button" className={a === 'activate' || a === 'resume' ? 'primary' : a === 'cancel' ? 'danger' : ''} disabled={act.isPending} onClick={() => void run(a)}>
              {t(`detail.${a}` as MessageKey)}
            </button>
          ))}
        </div>
      </div>
      {problem && (
        <div role="alert" className="error-box">
          <p>{problem.errors.length ? t('detail.blocking') : problem.message}</p>
          {problem.errors.length > 0 && (
            <ul>
              {problem.errors.map((e) => (
                <li key={e.field + e.code}>
                  <code>{e.field}</code>: {e.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <Dashboard campaignId={c.id} />
      <div className="card">
        <p>{t('detail.window', { start: c.calling_window.start, end: c.calling_window.end, days, tz: c.timezone })}</p>
        <p>{t('detail.retry', { n: c.retry_policy.max_attempts, m: c.retry_policy.retry_interval_minutes })}</p>
        <h2>{t('detail.questions')}</h2>
        <ol>
          {c.questions.map((q, i) => (
            <li key={i}>
              {q.text || '—'} <span className="muted">({t(`form.type.${q.type}` as MessageKey)}{q.scale ? ` ${q.scale.min}–${q.scale.max}` : ''})</span>
            </li>
          ))}
        </ol>
      </div>
      {can('campaign:test_call') && <TestCall campaignId={c.id} campaignLanguage={c.language} />}
      <ContactsPanel campaignId={c.id} canUpload={c.can.upload_contacts} onImported={() => setProblem(null)} />
    </section>
  );
}
