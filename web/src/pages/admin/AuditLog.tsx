/** The audit log: newest first, filtered, paged with the API's cursor. */
import { useState } from 'react';
import { Field } from '../../components/Field';
import { FilterSelect } from '../../components/FilterBar';
import { ErrorState, Loading } from '../../components/Layout';
import { CursorPager } from '../../components/Pager';
import { type AuditEntry, type AuditFilters, NO_AUDIT_FILTERS, useAudit, useUsers } from '../../lib/admin';
import { fieldErrors } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { useI18n } from '../../lib/i18n';

const OUTCOMES = ['success', 'denied', 'failure'] as const;

/** `datetime-local` value (the browser's time zone) → ISO 8601 with offset, as the API wants. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : '');

export function AuditLog() {
  const { t } = useI18n();
  const { can } = useSession();
  const [form, setForm] = useState({ ...NO_AUDIT_FILTERS });
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const [cursors, setCursors] = useState<string[]>([]);
  const audit = useAudit(filters, cursors.at(-1) ?? null);
  const people = useUsers({ q: '', role: '', page: 1, pageSize: 100 }, can('admin:users'));
  const set = (k: keyof AuditFilters, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const errors = fieldErrors(audit.error);
  const err = (k: string) => errors[`query.${k}`];

  function apply(e: React.FormEvent) {
    e.preventDefault();
    setCursors([]);
    setFilters({ ...form, action: form.action.trim(), target_type: form.target_type.trim(), target_id: form.target_id.trim(), from: toIso(form.from), to: toIso(form.to) });
  }

  const input = (k: keyof AuditFilters, label: string, type = 'text') => (
    <Field id={`audit-${k}`} label={label} error={err(k)}>
      {(c) => <input {...c} type={type} value={form[k]} onChange={(e) => set(k, e.target.value)} />}
    </Field>
  );

  const filterErrors = Object.keys(errors).length > 0;
  return (
    <div className="stack">
      <h2>{t('admin.audit.title')}</h2>
      <p className="muted">{t('admin.audit.lead')}</p>
      <form className="filters card" role="search" aria-label={t('admin.audit.filters')} onSubmit={apply}>
        {input('action', t('admin.audit.action'))}
        {can('admin:users') && (
          <label>
            {t('admin.audit.actor')}
            <select value={form.actor} onChange={(e) => set('actor', e.target.value)}>
              <option value="">{t('admin.audit.anyone')}</option>
              {people.data?.items.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {input('target_type', t('admin.audit.targetType'))}
        {input('target_id', t('admin.audit.targetId'))}
        <FilterSelect label={t('admin.audit.outcome')} all={t('admin.audit.anyOutcome')} options={OUTCOMES} optionLabel={(o) => t(`admin.audit.outcome.${o}`)} value={form.outcome} onChange={(v) => set('outcome', v)} />
        {input('from', t('admin.audit.from'), 'datetime-local')}
        {input('to', t('admin.audit.to'), 'datetime-local')}
        <div className="actions">
          <button type="submit" className="primary">
            {t('admin.audit.apply')}
          </button>
          <button
            type="button"
            onClick={() => {
              setForm({ ...NO_AUDIT_FILTERS });
              setFilters(NO_AUDIT_FILTERS);
              setCursors([]);
            }}
          >
            {t('admin.audit.reset')}
          </button>
        </div>
      </form>
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        filterErrors ? (
          <p role="alert" className="error-box">
            {t('admin.audit.badFilters')}
          </p>
        ) : (
          <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
        )
      ) : audit.data.items.length === 0 ? (
        <p className="empty">{t('admin.audit.empty')}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table audit">
              <thead>
                <tr>
                  <th scope="col">{t('admin.audit.col.when')}</th>
                  <th scope="col">{t('admin.audit.col.who')}</th>
                  <th scope="col">{t('admin.audit.col.action')}</th>
                  <th scope="col">{t('admin.audit.col.target')}</th>
                  <th scope="col">{t('admin.audit.col.outcome')}</th>
                  <th scope="col">{t('admin.audit.col.change')}</th>
                </tr>
              </thead>
              <tbody>
                {audit.data.items.map((a) => (
                  <AuditRow key={a.id} entry={a} />
                ))}
              </tbody>
            </table>
          </div>
          <CursorPager
            label={t('admin.audit.pagination')}
            hasPrevious={cursors.length > 0}
            nextCursor={audit.data.next_cursor}
            onPrevious={() => setCursors((c) => c.slice(0, -1))}
            onNext={(next) => setCursors((c) => [...c, next])}
          />
        </>
      )}
    </div>
  );
}

/** `{a: {b: 1}}` → `{"a.b": 1}`; arrays stay whole. */
function flatten(v: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = v;
  return out;
}

const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** What changed, field by field, when the entry has a before and an after image. */
function changes(a: AuditEntry): { field: string; from: unknown; to: unknown }[] {
  if (!a.before || !a.after) return [];
  const b = flatten(a.before);
  const f = flatten(a.after);
  return [...new Set([...Object.keys(b), ...Object.keys(f)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(f[k])).map((k) => ({ field: k, from: b[k], to: f[k] }));
}

function AuditRow({ entry: a }: { entry: AuditEntry }) {
  const { t, locale } = useI18n();
  const diff = changes(a);
  const extra = { before: a.before, after: a.after, details: a.details, correlation_id: a.correlation_id };
  return (
    <tr>
      <td>{new Date(a.occurred_at).toLocaleString(locale)}</td>
      <td>
        {a.actor ? (
          <>
            {a.actor.name ?? a.actor.user_id}
            {a.actor.role && <span className="muted small"> · {t(`admin.role.${a.actor.role}`)}</span>}
          </>
        ) : (
          <span className="muted">{t('admin.audit.system')}</span>
        )}
      </td>
      <td className="mono">{a.action}</td>
      <td>{a.target ? `${a.target.type}${a.target.id ? `: ${a.target.id}` : ''}` : '—'}</td>
      <td>
        <span className={`badge badge-${a.outcome}`}>{t(`admin.audit.outcome.${a.outcome}`)}</span>
      </td>
      <td>
        {diff.length > 0 && (
          <ul className="changes">
            {diff.slice(0, 6).map((d) => (
              <li key={d.field}>
                <span className="mono">{d.field}</span>: {show(d.from)} → {show(d.to)}
              </li>
            ))}
            {diff.length > 6 && <li className="muted">{t('admin.audit.more', { n: diff.length - 6 })}</li>}
          </ul>
        )}
        <details>
          <summary>{t('admin.audit.details')}</summary>
          <pre className="audit-json">{JSON.stringify(extra, null, 2)}</pre>
        </details>
      </td>
    </tr>
  );
}
