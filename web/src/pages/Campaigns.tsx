import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorState, Loading, StatusBadge } from '../components/Layout';
import { useSession } from '../lib/auth';
import { useCampaigns } from '../lib/campaigns';
import { useI18n } from '../lib/i18n';

const STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;

export function Campaigns() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const list = useCampaigns({ status, q: search, page });
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / list.data.page_size)) : 1;

  return (
    <section>
      <div className="page-head">
        <h1>{t('campaigns.title')}</h1>
        {can('campaign:write') && (
          <Link className="button primary" to="/campaigns/new">
            {t('campaigns.new')}
          </Link>
        )}
      </div>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setSearch(q);
        }}
      >
        <label>
          {t('campaigns.filter.status')}
          <select value={status} onChange={(e) => (setStatus(e.target.value), setPage(1))}>
            <option value="">{t('campaigns.filter.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('common.search')}
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <button type="submit">{t('common.search')}</button>
      </form>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <p className="empty">{status || search ? t('campaigns.emptyFiltered') : t('campaigns.empty')}</p>
      ) : (
        <>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('campaigns.col.name')}</th>
                <th scope="col">{t('campaigns.col.status')}</th>
                <th scope="col" className="num">
                  {t('campaigns.col.contacts')}
                </th>
                <th scope="col" className="num">
                  {t('campaigns.col.completed')}
                </th>
                <th scope="col" className="num">
                  {t('campaigns.col.refused')}
                </th>
                <th scope="col" className="num">
                  {t('campaigns.col.open')}
                </th>
                <th scope="col">{t('campaigns.col.created')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td className="num">{c.counts['total']}</td>
                  <td className="num">{withShare(c.counts['completed'], c.counts['total'])}</td>
                  <td className="num">{withShare(c.counts['refused'], c.counts['total'])}</td>
                  <td className="num">{(c.counts['pending'] ?? 0) + (c.counts['not_reached'] ?? 0) + (c.counts['in_progress'] ?? 0)}</td>
                  <td>{new Date(c.created_at).toLocaleDateString(locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pagination">
            <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              {t('common.previous')}
            </button>
            <span>{t('common.page', { page, pages })}</span>
            <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              {t('common.next')}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

/** A count and its share of the campaign's contacts, e.g. `12 (40%)`. */
function withShare(n: number | undefined, total: number | undefined): string {
  const v = n ?? 0;
  return total ? `${v} (${Math.round((v / total) * 100)}%)` : String(v);
}
