/** The do-not-call list: search, add one number, import a CSV with its report, remove (admin). */
import { useState } from 'react';
import { CsvUpload } from '../components/CsvImport';
import { Field } from '../components/Field';
import { FilterBar, FilterSelect, SearchField } from '../components/FilterBar';
import { ErrorState, Loading } from '../components/Layout';
import { Pager } from '../components/Pager';
import { ApiError, fieldErrors } from '../lib/api';
import { useSession } from '../lib/auth';
import { type Exclusion, EXCLUSION_SOURCES, importExclusions, useAddExclusion, useExclusions, useRemoveExclusion } from '../lib/exclusions';
import { useI18n } from '../lib/i18n';
import { useQueryClient } from '@tanstack/react-query';
import '../admin.css';

export function Exclusions() {
  const { t } = useI18n();
  const { can } = useSession();
  return (
    <section className="stack">
      <div className="page-head">
        <div>
          <h1>{t('exclusions.title')}</h1>
          <p className="muted">{t('exclusions.lead')}</p>
        </div>
      </div>
      {can('exclusions:write') && (
        <>
          <AddExclusion />
          <ImportExclusions />
        </>
      )}
      <ExclusionList canRemove={can('exclusions:delete')} />
    </section>
  );
}

function AddExclusion() {
  const { t } = useI18n();
  const add = useAddExclusion();
  const [phone, setPhone] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setErrors({});
    setDone(null);
    setFailure(null);
    try {
      const r = await add.mutateAsync({ phone_number: phone.trim(), reason: reason.trim() || null });
      setDone(r.created ? t('exclusions.add.added', { phone: r.entry.phone_number, n: r.contacts_excluded }) : t('exclusions.add.already', { phone: r.entry.phone_number }));
      setPhone('');
      setReason('');
    } catch (err) {
      const fe = fieldErrors(err);
      setErrors(fe);
      if (!Object.keys(fe).some((k) => k === 'phone_number' || k === 'reason')) setFailure(err instanceof ApiError ? err.message : t('common.error'));
    }
  }

  return (
    <section className="card" aria-labelledby="excl-add-title">
      <h2 id="excl-add-title">{t('exclusions.add.title')}</h2>
      <form className="inline-form aligned" onSubmit={(e) => void submit(e)} noValidate>
        <Field id="excl-phone" label={t('exclusions.add.phone')} error={errors['phone_number']} hint={t('exclusions.add.phoneHint')}>
          {(c) => <input {...c} type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} required autoComplete="off" />}
        </Field>
        <Field id="excl-reason" className="grow" label={t('exclusions.add.reason')} error={errors['reason']}>
          {(c) => <input {...c} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />}
        </Field>
        <button type="submit" className="primary" disabled={add.isPending || !phone.trim()}>
          {t('exclusions.add.submit')}
        </button>
      </form>
      <div aria-live="polite">{done && <p className="ok-box">{done}</p>}</div>
      {failure && (
        <p role="alert" className="error-box">
          {failure}
        </p>
      )}
    </section>
  );
}

function ImportExclusions() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [listName, setListName] = useState('');
  const [listDate, setListDate] = useState('');
  const [reason, setReason] = useState('');
  return (
    <section className="card" aria-labelledby="excl-import-title">
      <h2 id="excl-import-title">{t('exclusions.import.title')}</h2>
      <div className="inline-form">
        <label className="grow">
          {t('exclusions.import.listName')}
          <input value={listName} onChange={(e) => setListName(e.target.value)} maxLength={200} />
        </label>
        <label>
          {t('exclusions.import.listDate')}
          <input type="date" value={listDate} onChange={(e) => setListDate(e.target.value)} />
        </label>
        <label className="grow">
          {t('exclusions.import.reason')}
          <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
        </label>
      </div>
      <CsvUpload
        upload={(file, onProgress) => importExclusions(file, { listName, listDate, reason }, onProgress)}
        hint={t('exclusions.import.columns')}
        onImported={() => void qc.invalidateQueries({ queryKey: ['exclusions'] })}
      />
    </section>
  );
}

function ExclusionList({ canRemove }: { canRemove: boolean }) {
  const { t, locale } = useI18n();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [source, setSource] = useState('');
  const [page, setPage] = useState(1);
  const list = useExclusions({ search, source, page });
  const remove = useRemoveExclusion();
  const [removed, setRemoved] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  async function onRemove(e: Exclusion) {
    if (!window.confirm(t('exclusions.confirmRemove', { phone: e.phone_number }))) return;
    setRemoved(null);
    setFailure(null);
    try {
      await remove.mutateAsync(e.id);
      setRemoved(t('exclusions.removed', { phone: e.phone_number }));
    } catch (err) {
      setFailure(err);
    }
  }

  const pages = list.data ? Math.ceil(list.data.total / list.data.page_size) : 1;
  return (
    <section className="card" aria-labelledby="excl-list-title">
      <h2 id="excl-list-title">{t('exclusions.list.title')}</h2>
      <FilterBar onSubmit={() => (setPage(1), setSearch(q.replace(/\D/g, '')))}>
        <SearchField label={t('exclusions.search')} inputMode="numeric" value={q} onChange={setQ} maxLength={40} />
        <FilterSelect label={t('exclusions.source')} all={t('exclusions.source.all')} options={EXCLUSION_SOURCES} optionLabel={(s) => t(`exclusions.source.${s}`)} value={source} onChange={(v) => (setSource(v), setPage(1))} />
      </FilterBar>
      <div aria-live="polite">{removed && <p className="ok-box">{removed}</p>}</div>
      {failure !== null && <ErrorState error={failure} />}
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <p className="empty">{search || source ? t('exclusions.emptyFiltered') : t('exclusions.empty')}</p>
      ) : (
        <>
          <p className="muted small">{t('exclusions.total', { n: list.data.total })}</p>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('exclusions.col.phone')}</th>
                  <th scope="col">{t('exclusions.col.reason')}</th>
                  <th scope="col">{t('exclusions.col.source')}</th>
                  <th scope="col">{t('exclusions.col.list')}</th>
                  <th scope="col">{t('exclusions.col.added')}</th>
                  {canRemove && (
                    <th scope="col">
                      <span className="sr-only">{t('exclusions.col.actions')}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((e) => (
                  <tr key={e.id}>
                    <td className="mono">{e.phone_number}</td>
                    <td>{e.reason ?? '—'}</td>
                    <td>{t(`exclusions.source.${e.source}`)}</td>
                    <td>{e.list_name || e.list_date ? [e.list_name, e.list_date].filter(Boolean).join(' · ') : '—'}</td>
                    <td>{new Date(e.created_at).toLocaleString(locale)}</td>
                    {canRemove && (
                      <td className="actions-cell">
                        <button type="button" className="danger" aria-label={t('exclusions.removeLabel', { phone: e.phone_number })} disabled={remove.isPending} onClick={() => void onRemove(e)}>
                          {t('exclusions.remove')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} pages={pages} onPage={setPage} label={t('exclusions.pagination')} />
        </>
      )}
    </section>
  );
}
