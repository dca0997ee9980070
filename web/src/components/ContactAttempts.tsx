/** A contact's call attempts (roles with calls:read), each opening its call detail. */
import { Link } from 'react-router';
import { type MessageKey, useI18n } from '../lib/i18n';
import { useContactAttempts } from '../lib/reporting';
import { ErrorState, Loading } from './Layout';

export function ContactAttempts({ contactId }: { contactId: string }) {
  const { t, locale } = useI18n();
  const attempts = useContactAttempts(contactId);
  if (attempts.isPending) return <Loading />;
  if (attempts.isError) return <ErrorState error={attempts.error} onRetry={() => void attempts.refetch()} />;
  if (attempts.data.items.length === 0) return <p className="muted">{t('contacts.noCalls')}</p>;
  return (
    <table className="table compact attempts">
      <caption>{t('contacts.callsOf')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('attempt.number')}</th>
          <th scope="col">{t('attempt.started')}</th>
          <th scope="col">{t('contacts.outcome')}</th>
          <th scope="col" className="num">
            {t('attempt.duration')}
          </th>
        </tr>
      </thead>
      <tbody>
        {attempts.data.items.map((a) => (
          <tr key={a.attempt_id}>
            <td>
              {/* Only the internal call id goes into the URL: never a number or an email. */}
              <Link to={`/calls/${encodeURIComponent(a.call_id)}`} aria-label={t('attempt.open', { n: a.attempt_number })}>
                #{a.attempt_number}
              </Link>
            </td>
            <td>{a.started_at ? new Date(a.started_at).toLocaleString(locale === 'it' ? 'it-IT' : 'en-GB') : '—'}</td>
            <td>{a.outcome ? t(`outcome.${a.outcome}` as MessageKey) : t('outcome.none')}</td>
            <td className="num">{a.duration_seconds === null ? '—' : t('call.seconds', { n: a.duration_seconds })}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
