/** Follow-up emails by status (failed first), with retry where the API allows it. */
import { useState } from 'react';
import { Link } from 'react-router';
import { FilterSelect } from '../../components/FilterBar';
import { ErrorState, Loading } from '../../components/Layout';
import { CursorPager } from '../../components/Pager';
import { type Email, useEmails, useRetryEmail } from '../../lib/admin';
import { ApiError } from '../../lib/api';
import { useI18n } from '../../lib/i18n';

const STATUSES = ['failed', 'pending', 'sent'] as const;

export function FailedEmails() {
  const { t, locale } = useI18n();
  const [status, setStatus] = useState<string>('failed');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1) ?? null;
  const emails = useEmails(status, cursor);
  const retry = useRetryEmail();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function onRetry(e: Email) {
    setMessage(null);
    try {
      await retry.mutateAsync(e);
      setMessage({ ok: true, text: t('admin.emails.retried', { to: e.to }) });
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiError ? err.message : t('common.error') });
    }
  }

  return (
    <div className="stack">
      <h2>{t('admin.emails.title')}</h2>
      <p className="muted">{t('admin.emails.lead')}</p>
      <div className="filters">
        <FilterSelect label={t('admin.emails.status')} options={STATUSES} optionLabel={(s) => t(`admin.emails.status.${s}`)} value={status} onChange={(v) => (setStatus(v), setCursors([]))} />
      </div>
      <div aria-live="polite">{message?.ok && <p className="ok-box">{message.text}</p>}</div>
      {message && !message.ok && (
        <p role="alert" className="error-box">
          {message.text}
        </p>
      )}
      {emails.isPending ? (
        <Loading />
      ) : emails.isError ? (
        <ErrorState error={emails.error} onRetry={() => void emails.refetch()} />
      ) : emails.data.items.length === 0 ? (
        <p className="empty">{status === 'failed' ? t('admin.emails.emptyFailed') : t('admin.emails.empty')}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('admin.emails.col.created')}</th>
                  <th scope="col">{t('admin.emails.col.to')}</th>
                  <th scope="col">{t('admin.emails.col.status')}</th>
                  <th scope="col" className="num">
                    {t('admin.emails.col.attempts')}
                  </th>
                  <th scope="col">{t('admin.emails.col.error')}</th>
                  <th scope="col">{t('admin.emails.col.campaign')}</th>
                  <th scope="col">
                    <span className="sr-only">{t('admin.emails.col.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {emails.data.items.map((e) => (
                  <tr key={e.id}>
                    <td>{new Date(e.created_at).toLocaleString(locale)}</td>
                    <td className="mono">{e.to}</td>
                    <td>
                      <span className={`badge badge-${e.status}`}>{t(`admin.emails.status.${e.status}`)}</span>
                    </td>
                    <td className="num">{e.attempts}</td>
                    <td>{e.error ?? '—'}</td>
                    <td>
                      <Link to={`/campaigns/${e.campaign_id}`}>{t('admin.emails.openCampaign')}</Link>
                    </td>
                    <td className="actions-cell">
                      {e.can.retry && (
                        <button type="button" onClick={() => void onRetry(e)} disabled={retry.isPending} aria-label={t('admin.emails.retryFor', { to: e.to })}>
                          {t('admin.emails.retry')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <CursorPager
            label={t('admin.emails.pagination')}
            hasPrevious={cursors.length > 0}
            nextCursor={emails.data.next_cursor}
            onPrevious={() => setCursors((c) => c.slice(0, -1))}
            onNext={(next) => setCursors((c) => [...c, next])}
          />
        </>
      )}
    </div>
  );
}
