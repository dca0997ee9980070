/**
 * Create, edit or delete an email template, with a live preview rendered by the
 * server in both languages (its sample values for each). HTML previews are shown
 * in a sandboxed iframe: no scripts, no same origin.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { Field } from '../components/Field';
import { ErrorState, Loading } from '../components/Layout';
import { ApiError, fieldErrors } from '../lib/api';
import { useSession } from '../lib/auth';
import { useI18n } from '../lib/i18n';
import {
  type Preview,
  type Template,
  type TemplateDraft,
  TEMPLATE_LOCALES,
  TEMPLATE_TYPES,
  TEMPLATE_VARIABLES,
  type TemplateLocale,
  useDeleteTemplate,
  useDraftPreview,
  useSavedPreview,
  useSaveTemplate,
  useTemplate,
  useTranslation,
} from '../lib/templates';
import { useDebounced } from '../lib/useDebounced';
import '../admin.css';

const BLANK: TemplateDraft = { name: '', type: 'completed', locale: 'en', subject: '', body_html: '', body_text: '' };
const FIELDS = ['name', 'type', 'locale', 'subject', 'body_html', 'body_text'] as const;

export function TemplateEditorPage() {
  const { id } = useParams();
  const location = useLocation();
  const tpl = useTemplate(id);
  if (!id) {
    const prefill = (location.state as { prefill?: TemplateDraft } | null)?.prefill;
    return <TemplateEditor key={`new-${location.key}`} initial={prefill ?? BLANK} />;
  }
  if (tpl.isPending) return <Loading />;
  if (tpl.isError) return <ErrorState error={tpl.error} onRetry={() => void tpl.refetch()} />;
  const justCreated = (location.state as { created?: boolean } | null)?.created === true;
  return <TemplateEditor key={tpl.data.id} template={tpl.data} initial={tpl.data} justCreated={justCreated} />;
}

function TemplateEditor({ template, initial, justCreated = false }: { template?: Template; initial: TemplateDraft; justCreated?: boolean }) {
  const { t } = useI18n();
  const { can } = useSession();
  const navigate = useNavigate();
  const canWrite = can('templates:write');
  const [draft, setDraft] = useState<TemplateDraft>(() => Object.fromEntries(FIELDS.map((f) => [f, initial[f]])) as unknown as TemplateDraft);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [saved, setSaved] = useState(justCreated);
  const save = useSaveTemplate(template?.id);
  const del = useDeleteTemplate();

  const set = <K extends keyof TemplateDraft>(k: K, v: TemplateDraft[K]) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [k]: v }));
  };

  // The preview follows the form once typing pauses.
  const content = useMemo(() => ({ type: draft.type, subject: draft.subject, body_html: draft.body_html, body_text: draft.body_text }), [draft.type, draft.subject, draft.body_html, draft.body_text]);
  const settled = useDebounced(content, 400);
  const en = useDraftPreview(settled, 'en', canWrite);
  const it = useDraftPreview(settled, 'it', canWrite);
  const savedPreview = useSavedPreview(template?.id, template?.updated_at, !canWrite);
  const previewErrors = canWrite ? fieldErrors(en.error) : {};
  const shown = (k: string) => errors[k] ?? previewErrors[k];

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBanner(null);
    setErrors({});
    setSaved(false);
    const body: Partial<TemplateDraft> = template ? Object.fromEntries(FIELDS.filter((f) => draft[f] !== template[f]).map((f) => [f, draft[f]])) : draft;
    if (template && Object.keys(body).length === 0) {
      setSaved(true);
      return;
    }
    try {
      const result = await save.mutateAsync(body);
      setSaved(true);
      if (!template) navigate(`/templates/${result.id}`, { replace: true, state: { created: true } });
    } catch (err) {
      const fe = fieldErrors(err);
      setErrors(fe);
      setBanner(Object.keys(fe).length ? t('templates.fix') : err instanceof ApiError ? err.message : t('common.error'));
    }
  }

  async function remove() {
    if (!template || !window.confirm(t('templates.confirmDelete', { name: template.name }))) return;
    setBanner(null);
    try {
      await del.mutateAsync(template.id);
      navigate('/templates');
    } catch (err) {
      setBanner(err instanceof ApiError ? err.message : t('common.error'));
    }
  }

  const order: TemplateLocale[] = draft.locale === 'it' ? ['it', 'en'] : ['en', 'it'];
  const title = !canWrite ? t('templates.viewTitle') : template ? t('templates.editTitle') : t('templates.createTitle');

  return (
    <section>
      <p>
        <Link to="/templates">← {t('templates.backToList')}</Link>
      </p>
      <div className="template-editor">
        <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="template-title">
          <h1 id="template-title">{title}</h1>
          {banner && (
            <p role="alert" className="error-box">
              {banner}
            </p>
          )}
          <fieldset disabled={!canWrite} className="plain">
            <Field id="tpl-name" label={t('templates.name')} error={shown('name')}>
              {(c) => <input {...c} value={draft.name} onChange={(e) => set('name', e.target.value)} required maxLength={200} />}
            </Field>
            <div className="row">
              <Field id="tpl-type" label={t('templates.type')} error={shown('type')}>
                {(c) => (
                  <select {...c} value={draft.type} onChange={(e) => set('type', e.target.value as TemplateDraft['type'])}>
                    {TEMPLATE_TYPES.map((x) => (
                      <option key={x} value={x}>
                        {t(`templates.type.${x}`)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id="tpl-locale" label={t('templates.locale')} error={shown('locale')}>
                {(c) => (
                  <select {...c} value={draft.locale} onChange={(e) => set('locale', e.target.value as TemplateLocale)}>
                    {TEMPLATE_LOCALES.map((x) => (
                      <option key={x} value={x}>
                        {t(`templates.locale.${x}`)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <Field id="tpl-subject" label={t('templates.subject')} error={shown('subject')}>
              {(c) => <input {...c} value={draft.subject} onChange={(e) => set('subject', e.target.value)} lang={draft.locale} />}
            </Field>
            <Field id="tpl-body_html" label={t('templates.bodyHtml')} error={shown('body_html')}>
              {(c) => <textarea {...c} className="mono" rows={9} value={draft.body_html} onChange={(e) => set('body_html', e.target.value)} lang={draft.locale} spellCheck={false} />}
            </Field>
            <Field id="tpl-body_text" label={t('templates.bodyText')} error={shown('body_text')}>
              {(c) => <textarea {...c} className="mono" rows={6} value={draft.body_text} onChange={(e) => set('body_text', e.target.value)} lang={draft.locale} />}
            </Field>
            <p className="muted small">{t('templates.variables', { vars: TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ') })}</p>
          </fieldset>
          {canWrite && (
            <div className="actions">
              <button type="submit" className="primary" disabled={save.isPending}>
                {t('templates.save')}
              </button>
              {template && (
                <button type="button" className="danger" onClick={() => void remove()} disabled={del.isPending}>
                  {t('templates.delete')}
                </button>
              )}
              <span aria-live="polite">{saved && <span className="ok-box">{t('templates.saved')}</span>}</span>
            </div>
          )}
          {template && <Translation template={template} draft={draft} canWrite={canWrite} />}
        </form>
        <section className="card previews" aria-labelledby="preview-title">
          <h2 id="preview-title">{t('templates.preview.title')}</h2>
          {canWrite ? (
            order.map((l) => <PreviewPane key={l} lang={l} own={l === draft.locale} query={l === 'en' ? en : it} />)
          ) : (
            <>
              <p className="muted small">{t('templates.preview.savedOnly')}</p>
              <PreviewPane lang={template?.locale ?? 'en'} own query={savedPreview} />
            </>
          )}
        </section>
      </div>
    </section>
  );
}

function Translation({ template, draft, canWrite }: { template: Template; draft: TemplateDraft; canWrite: boolean }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const other: TemplateLocale = template.locale === 'it' ? 'en' : 'it';
  const lang = t(`templates.langName.${other}`);
  const found = useTranslation(template);
  if (found.isPending || found.isError) return null;
  return (
    <div className="notice">
      <strong>{t('templates.translation.title')}: </strong>
      {found.data ? (
        <Link to={`/templates/${found.data.id}`}>{t('templates.translation.open', { lang })}</Link>
      ) : (
        <>
          {t('templates.translation.none', { lang })}{' '}
          {canWrite && (
            <button type="button" className="link" onClick={() => navigate('/templates/new', { state: { prefill: { ...draft, name: template.name, type: template.type, locale: other } } })}>
              {t('templates.translation.create', { lang })}
            </button>
          )}
        </>
      )}
    </div>
  );
}

/** A full document for the sandboxed frame; its own CSP forbids loading anything. */
function frameDocument(html: string, lang: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><style>body{font-family:system-ui,sans-serif;margin:12px;color:#1b1f24;background:#fff}</style></head><body>${html}</body></html>`;
}

function PreviewPane({ lang, own, query }: { lang: TemplateLocale; own: boolean; query: UseQueryResult<Preview> }) {
  const { t } = useI18n();
  const name = t(`templates.langName.${lang}`);
  const headingId = `preview-${lang}`;
  return (
    <section className="preview-pane" aria-labelledby={headingId} aria-busy={query.isFetching}>
      <h3 id={headingId}>
        {t('templates.preview.lang', { lang: name })}
        {own && <span className="muted small"> ({t('templates.preview.ownLanguage')})</span>}
      </h3>
      {query.isPending ? (
        query.fetchStatus === 'idle' ? null : <Loading />
      ) : query.isError && !(query.error instanceof ApiError && query.error.status === 422) ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          {query.isError && (
            <div className="warn-box" role="status">
              <p>{t('templates.preview.invalid')}</p>
              <ul>
                {(query.error as ApiError).errors.map((e, i) => (
                  <li key={i}>
                    {e.field}: {e.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {query.data && (
            <div className="preview-body">
              <p className="preview-subject">
                {t('templates.preview.subject')} <span lang={lang}>{query.data.subject}</span>
              </p>
              <iframe className="preview-frame" sandbox="" srcDoc={frameDocument(query.data.html, lang)} title={t('templates.preview.htmlFrame', { lang: name })} />
              <details open>
                <summary>{t('templates.preview.text')}</summary>
                <pre className="preview-text" lang={lang}>
                  {query.data.text}
                </pre>
              </details>
              {query.data.unknown_variables.length > 0 && <p className="muted small">{t('templates.preview.unknown', { vars: query.data.unknown_variables.join(', ') })}</p>}
              {query.data.missing_variables.length > 0 && <p className="muted small">{t('templates.preview.missing', { vars: query.data.missing_variables.join(', ') })}</p>}
            </div>
          )}
        </>
      )}
    </section>
  );
}
