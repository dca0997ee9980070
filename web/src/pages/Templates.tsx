/** Email templates: filterable, paginated list. */
import { useState } from 'react';
import { Link } from 'react-router';
import { FilterBar, FilterSelect, SearchField } from '../components/FilterBar';
import { ErrorState, Loading } from '../components/Layout';
import { Pager } from '../components/Pager';
import { useSession } from '../lib/auth';
import { useI18n } from '../lib/i18n';
import { TEMPLATE_LOCALES, TEMPLATE_TYPES, useTemplates } from '../lib/templates';
import '../admin.css';

export function Templates() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const [type, setType] = useState('');
  const [lang, setLang] = useState('');
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const list = useTemplates({ type, locale: lang, q: search, page });
  const pages = list.data ? Math.ceil(list.data.total / list.data.page_size) : 1;

  return (
    <section>
      <div className="page-head">
        <div>
          <h1>{t('templates.title')}</h1>
          <p className="muted">{t('templates.lead')}</p>
        </div>
        {can('templates:write') && (
          <Link className="button primary" to="/templates/new">
            {t('templates.new')}
          </Link>
        )}
      </div>
      <FilterBar onSubmit={() => (setPage(1), setSearch(q.trim()))}>
        <FilterSelect label={t('templates.filter.type')} all={t('templates.filter.allTypes')} options={TEMPLATE_TYPES} optionLabel={(x) => t(`templates.type.${x}`)} value={type} onChange={(v) => (setType(v), setPage(1))} />
        <FilterSelect label={t('templates.filter.locale')} all={t('templates.filter.allLocales')} options={TEMPLATE_LOCALES} optionLabel={(x) => t(`templates.locale.${x}`)} value={lang} onChange={(v) => (setLang(v), setPage(1))} />
        <SearchField label={t('templates.search')} value={q} onChange={setQ} maxLength={200} />
      </FilterBar>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <p className="empty">{type || lang || search ? t('templates.emptyFiltered') : t('templates.empty')}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('templates.col.name')}</th>
                  <th scope="col">{t('templates.col.type')}</th>
                  <th scope="col">{t('templates.col.locale')}</th>
                  <th scope="col">{t('templates.col.subject')}</th>
                  <th scope="col">{t('templates.col.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((x) => (
                  <tr key={x.id}>
                    <td>
                      <Link to={`/templates/${x.id}`}>{x.name}</Link>
                    </td>
                    <td>{t(`templates.type.${x.type}`)}</td>
                    <td>{t(`templates.locale.${x.locale}`)}</td>
                    <td>
                      <span lang={x.locale}>{x.subject}</span>
                    </td>
                    <td>{new Date(x.updated_at).toLocaleString(locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} pages={pages} onPage={setPage} label={t('templates.pagination')} />
        </>
      )}
    </section>
  );
}
