import { useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useSession } from '../lib/auth';
import { uploadContacts, useContacts } from '../lib/contacts';
import { type MessageKey, useI18n } from '../lib/i18n';
import { ContactAttempts } from './ContactAttempts';
import { CsvUpload } from './CsvImport';
import { FilterBar, FilterSelect, SearchField } from './FilterBar';
import { ErrorState, Loading } from './Layout';
import { Pager } from './Pager';

const STATES = ['pending', 'in_progress', 'completed', 'refused', 'not_reached', 'excluded'] as const;
const OUTCOMES = ['completed', 'refused', 'no_answer', 'busy', 'voicemail', 'failed'] as const;

export function ContactsPanel({ campaignId, canUpload, onImported }: { campaignId: string; canUpload: boolean; onImported?: () => void }) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const { can } = useSession();
  const canCalls = can('calls:read');
  const [state, setState] = useState('');
  const [outcome, setOutcome] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const contacts = useContacts(campaignId, { state, outcome, search, page });

  const pages = contacts.data ? Math.max(1, Math.ceil(contacts.data.total / contacts.data.page_size)) : 1;
  return (
    <section className="card" aria-labelledby="contacts-title">
      <h2 id="contacts-title">{t('contacts.title')}</h2>
      {canUpload && (
        <CsvUpload
          upload={(file, onProgress) => uploadContacts(campaignId, file, onProgress)}
          hint={t('contacts.columns')}
          onImported={() => {
            onImported?.();
            void qc.invalidateQueries({ queryKey: ['contacts', campaignId] });
            void qc.invalidateQueries({ queryKey: ['campaign', campaignId] });
            void qc.invalidateQueries({ queryKey: ['stats', campaignId] });
          }}
        />
      )}
      <FilterBar onSubmit={() => setPage(1)} searchButton={false}>
        <FilterSelect label={t('campaigns.filter.status')} all={t('campaigns.filter.all')} options={STATES} optionLabel={(s) => t(`detail.tiles.${s}` as MessageKey)} value={state} onChange={(v) => (setState(v), setPage(1))} />
        <FilterSelect label={t('contacts.outcome')} all={t('contacts.anyOutcome')} options={OUTCOMES} optionLabel={(o) => t(`outcome.${o}` as MessageKey)} value={outcome} onChange={(v) => (setOutcome(v), setPage(1))} />
        <SearchField label={t('contacts.search')} value={search} onChange={(v) => (setSearch(v), setPage(1))} />
      </FilterBar>
      {contacts.isPending ? (
        <Loading />
      ) : contacts.isError ? (
        <ErrorState error={contacts.error} onRetry={() => void contacts.refetch()} />
      ) : contacts.data.items.length === 0 ? (
        <p className="empty">{t('contacts.empty')}</p>
      ) : (
        <>
          <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('contacts.phone')}</th>
                <th scope="col">{t('contacts.external')}</th>
                <th scope="col">{t('campaigns.col.status')}</th>
                <th scope="col" className="num">
                  {t('contacts.attempts')}
                </th>
                <th scope="col">{t('contacts.outcome')}</th>
                <th scope="col">{t('contacts.lastAttempt')}</th>
                {canCalls && <th scope="col">{t('contacts.calls')}</th>}
              </tr>
            </thead>
            <tbody>
              {contacts.data.items.map((c) => (
                <Fragment key={c.id}>
                  <tr>
                    <td>{c.phone_number}</td>
                    <td>{c.external_contact_id ?? '—'}</td>
                    <td>{t(`detail.tiles.${c.state}` as MessageKey)}</td>
                    <td className="num">{c.attempts_count}</td>
                    <td>{c.last_outcome ? t(`outcome.${c.last_outcome}` as MessageKey) : '—'}</td>
                    <td>{c.last_attempt_at ? new Date(c.last_attempt_at).toLocaleString(locale) : '—'}</td>
                    {canCalls && (
                      <td>
                        {c.attempts_count > 0 && (
                          <button
                            type="button"
                            className="small"
                            aria-expanded={open === c.id}
                            aria-controls={`calls-${c.id}`}
                            onClick={() => setOpen(open === c.id ? null : c.id)}
                          >
                            {open === c.id ? t('contacts.hideCalls') : t('contacts.showCalls')}
                            <span className="sr-only"> ({c.external_contact_id ?? c.phone_number})</span>
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                  {canCalls && open === c.id && (
                    <tr className="attempts-row">
                      <td colSpan={7} id={`calls-${c.id}`}>
                        <ContactAttempts contactId={c.id} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
          </div>
          <Pager page={page} pages={pages} onPage={setPage} label={t('contacts.pagination')} />
        </>
      )}
    </section>
  );
}
