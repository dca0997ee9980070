import { useState } from 'react';
import { Link } from 'react-router';
import { FilterBar, FilterSelect, SearchField } from '../components/FilterBar';
import { ErrorState, Loading, StatusBadge } from '../components/Layout';
import { Pager } from '../components/Pager';
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
      <FilterBar onSubmit={() => (setPage(1), setSearch(q))}>
        <FilterSelect label={t('campaigns.filter.status')} all={t('campaigns.filter.all')} options={STATUSES} optionLabel={(s) => t(`status.${s}`)} value={status} onChange={(v) => (setStatus(v), setPage(1))} />
        <SearchField label={t('common.search')} value={q} onChange={setQ} />
      </FilterBar>
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
          <Pager page={page} pages={pages} onPage={setPage} label={t('campaigns.pagination')} />
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
