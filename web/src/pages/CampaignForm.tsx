import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ErrorState, Loading } from '../components/Layout';
import { api, ApiError, fieldErrors } from '../lib/api';
import { useSession } from '../lib/auth';
import { TEMPLATE_TYPES, type TemplatePage, type TemplateType } from '../lib/templates';
import { type Campaign, type CampaignForm as Form, useCampaign, useSaveCampaign, validateCampaign } from '../lib/campaigns';
import { type MessageKey, useI18n } from '../lib/i18n';

const TZ = ['Europe/Rome', 'Europe/London', 'Europe/Berlin', 'Europe/Paris', 'Europe/Madrid', 'Europe/Dublin', 'UTC'];
type Q = NonNullable<Form['questions']>[number];

function fromCampaign(c?: Campaign): Form {
  if (!c) {
    return {
      name: '',
      description: '',
      language: 'en',
      timezone: 'Europe/Rome',
      organization_name: '',
      intro_script: '',
      questions: [
        { text: '', type: 'scale', scale: { min: 1, max: 10 } },
        { text: '', type: 'numeric' },
        { text: '', type: 'free_text' },
      ],
      retry_policy: { max_attempts: 3, retry_interval_minutes: 60 },
      calling_window: { start: '09:00', end: '20:00', weekdays: [1, 2, 3, 4, 5, 6] },
      require_prior_consent: true,
      phone_region: 'IT',
    };
  }
  return {
    name: c.name,
    description: c.description ?? '',
    language: c.language,
    timezone: c.timezone,
    organization_name: c.organization_name,
    intro_script: c.intro_script,
    questions: c.questions.map((q) => (q.type === 'scale' ? { text: q.text, type: q.type, scale: q.scale ?? { min: 1, max: 10 } } : { text: q.text, type: q.type })),
    retry_policy: c.retry_policy,
    calling_window: c.calling_window,
    require_prior_consent: c.require_prior_consent,
    phone_region: c.phone_region,
    email_templates: c.email_templates,
  };
}

export function CampaignFormPage() {
  const { id } = useParams();
  const existing = useCampaign(id ?? '');
  if (!id) return <CampaignEditor />;
  if (existing.isPending) return <Loading />;
  if (existing.isError) return <ErrorState error={existing.error} onRetry={() => void existing.refetch()} />;
  return <CampaignEditor campaign={existing.data} />;
}

function CampaignEditor({ campaign }: { campaign?: Campaign }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [form, setForm] = useState<Form>(() => fromCampaign(campaign));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string | null>(null);
  const save = useSaveCampaign(campaign?.id);
  const editable = (f: string) => !campaign || campaign.editable_fields.includes(f);
  const lockedNote = campaign ? t('form.locked', { status: t(`status.${campaign.status}` as MessageKey) }) : '';

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const setQ = (i: number, q: Partial<Q>) =>
    setForm((f) => ({ ...f, questions: f.questions!.map((x, j) => (j === i ? ({ ...x, ...q } as Q) : x)) }));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const body: Form = campaign ? (Object.fromEntries(Object.entries(form).filter(([k]) => editable(k))) as Form) : form;
    const local = validateCampaign(body, !!campaign);
    setErrors(local);
    if (Object.keys(local).length) {
      setBanner(t('form.fix'));
      return;
    }
    try {
      const saved = await save.mutateAsync(body);
      navigate(`/campaigns/${saved.id}`);
    } catch (err) {
      setErrors(fieldErrors(err));
      setBanner(err instanceof ApiError ? err.message : t('common.error'));
    }
  }

  const err = (k: string) =>
    errors[k] ? (
      <span className="field-error" id={`err-${k}`}>
        {errors[k]}
      </span>
    ) : null;
  const aria = (k: string) => (errors[k] ? { 'aria-invalid': true, 'aria-describedby': `err-${k}` } : {});

  return (
    <section className="two-col">
      <form onSubmit={(e) => void submit(e)} noValidate className="card form">
        <h1>{campaign ? t('form.editTitle') : t('form.createTitle')}</h1>
        {banner && (
          <p role="alert" className="error-box">
            {banner}
          </p>
        )}
        <label>
          {t('form.name')}
          <input value={form.name ?? ''} onChange={(e) => set('name', e.target.value)} disabled={!editable('name')} required {...aria('name')} />
          {err('name')}
        </label>
        <label>
          {t('form.description')}
          <textarea value={form.description ?? ''} onChange={(e) => set('description', e.target.value)} disabled={!editable('description')} rows={2} />
        </label>
        <fieldset disabled={!editable('language')} title={editable('language') ? undefined : lockedNote}>
          <div className="row">
            <label>
              {t('form.language')}
              <select value={form.language} onChange={(e) => set('language', e.target.value as 'en' | 'it')}>
                <option value="en">English</option>
                <option value="it">Italiano</option>
              </select>
            </label>
            <label>
              {t('form.timezone')}
              <select value={form.timezone} onChange={(e) => set('timezone', e.target.value)} {...aria('timezone')}>
                {[...new Set([form.timezone ?? 'Europe/Rome', ...TZ])].map((z) => (
                  <option key={z}>{z}</option>
                ))}
              </select>
              {err('timezone')}
            </label>
            <label>
              {t('form.region')}
              <input value={form.phone_region ?? ''} onChange={(e) => set('phone_region', e.target.value.toUpperCase())} maxLength={2} size={3} {...aria('phone_region')} />
              {err('phone_region')}
            </label>
          </div>
          <label>
            {t('form.organization')}
            <input value={form.organization_name ?? ''} onChange={(e) => set('organization_name', e.target.value)} />
          </label>
          <label>
            {t('form.intro')}
            <textarea value={form.intro_script ?? ''} onChange={(e) => set('intro_script', e.target.value)} rows={4} {...aria('intro_script')} />
            {err('intro_script')}
          </label>
          {form.questions!.map((q, i) => (
            <fieldset key={i} className="question">
              <legend>{t('form.question', { n: i + 1 })}</legend>
              <label>
                <span className="sr-only">{t('form.question', { n: i + 1 })}</span>
                <input value={q.text} onChange={(e) => setQ(i, { text: e.target.value })} {...aria(`questions.${i}.text`)} />
                {err(`questions.${i}.text`)}
              </label>
              <div className="row">
                <label>
                  {t('form.questionType')}
                  <select value={q.type} onChange={(e) => setQ(i, { type: e.target.value as Q['type'], ...(e.target.value === 'scale' ? { scale: { min: 1, max: 10 } } : { scale: undefined }) })}>
                    <option value="scale">{t('form.type.scale')}</option>
                    <option value="numeric">{t('form.type.numeric')}</option>
                    <option value="free_text">{t('form.type.free_text')}</option>
                  </select>
                </label>
                {q.type === 'scale' && (
                  <>
                    <label>
                      {t('form.scaleMin')}
                      <input type="number" value={q.scale?.min ?? 1} onChange={(e) => setQ(i, { scale: { min: Number(e.target.value), max: q.scale?.max ?? 10 } })} {...aria(`questions.${i}.scale.min`)} />
                    </label>
                    <label>
                      {t('form.scaleMax')}
                      <input type="number" value={q.scale?.max ?? 10} onChange={(e) => setQ(i, { scale: { min: q.scale?.min ?? 1, max: Number(e.target.value) } })} />
                    </label>
                    {err(`questions.${i}.scale.min`)}
                  </>
                )}
              </div>
            </fieldset>
          ))}
          <label className="check">
            <input type="checkbox" checked={form.require_prior_consent ?? true} onChange={(e) => set('require_prior_consent', e.target.checked)} />
            {t('form.priorConsent')}
          </label>
        </fieldset>
        <fieldset>
          <legend>{t('form.retry')}</legend>
          <div className="row">
            <label>
              {t('form.maxAttempts')}
              <input type="number" min={1} max={5} value={form.retry_policy?.max_attempts ?? 3} onChange={(e) => set('retry_policy', { ...form.retry_policy!, max_attempts: Number(e.target.value) })} {...aria('retry_policy.max_attempts')} />
              {err('retry_policy.max_attempts')}
            </label>
            <label>
              {t('form.retryInterval')}
              <input type="number" min={1} value={form.retry_policy?.retry_interval_minutes ?? 60} onChange={(e) => set('retry_policy', { ...form.retry_policy!, retry_interval_minutes: Number(e.target.value) })} {...aria('retry_policy.retry_interval_minutes')} />
              {err('retry_policy.retry_interval_minutes')}
            </label>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('form.window')}</legend>
          <div className="row">
            <label>
              {t('form.windowStart')}
              <input type="time" value={form.calling_window?.start ?? '09:00'} onChange={(e) => set('calling_window', { ...form.calling_window!, start: e.target.value })} {...aria('calling_window.start')} />
              {err('calling_window.start')}
            </label>
            <label>
              {t('form.windowEnd')}
              <input type="time" value={form.calling_window?.end ?? '20:00'} onChange={(e) => set('calling_window', { ...form.calling_window!, end: e.target.value })} {...aria('calling_window.end')} />
              {err('calling_window.end')}
            </label>
          </div>
          <div className="weekdays" role="group" aria-label={t('form.weekdays')}>
            {[1, 2, 3, 4, 5, 6, 7].map((d) => {
              const days = form.calling_window?.weekdays ?? [];
              return (
                <label key={d} className="check">
                  <input
                    type="checkbox"
                    checked={days.includes(d)}
                    onChange={(e) => set('calling_window', { ...form.calling_window!, weekdays: e.target.checked ? [...days, d].sort() : days.filter((x) => x !== d) })}
                  />
                  {t(`day.${d}` as MessageKey)}
                </label>
              );
            })}
          </div>
          {err('calling_window.weekdays') ?? err('calling_window')}
        </fieldset>
        <EmailTemplatePicker
          value={form.email_templates ?? {}}
          onChange={(v) => set('email_templates', v)}
          disabled={!editable('email_templates')}
          errors={{ completed: err('email_templates.completed'), refused: err('email_templates.refused'), not_reached: err('email_templates.not_reached') }}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {t('common.save')}
          </button>
          <Link to={campaign ? `/campaigns/${campaign.id}` : '/campaigns'}>{t('common.cancel')}</Link>
        </div>
      </form>
      <ScriptPreview form={form} />
    </section>
  );
}

/** The spoken order: intro (verbatim), AI disclosure, consent, three questions, closing. */
export function ScriptPreview({ form }: { form: Form }) {
  const { t } = useI18n();
  const automated = /automat|assistente virtuale|virtual assistant|\bAI\b|\bIA\b/i.test(form.intro_script ?? '');
  return (
    <aside className="card preview" aria-labelledby="preview-title">
      <h2 id="preview-title">{t('form.preview')}</h2>
      <ol>
        <li>
          <strong>{t('preview.intro')}:</strong> {form.intro_script || '—'}
        </li>
        {!automated && (
          <li>
            <strong>{t('preview.disclosure')}:</strong> {t('preview.disclosureText')}
          </li>
        )}
        <li>
          <strong>{t('preview.consent')}:</strong> {t('preview.consentText')}
        </li>
        {form.questions!.map((q, i) => (
          <li key={i}>
            <strong>{t('form.question', { n: i + 1 })}:</strong> {q.text || '—'}
            {q.type === 'scale' && q.scale ? ` (${q.scale.min}–${q.scale.max})` : ''}
          </li>
        ))}
        <li>
          <strong>{t('preview.closing')}:</strong> {t('preview.closingText')}
        </li>
      </ol>
    </aside>
  );
}

type TemplateChoice = NonNullable<Form['email_templates']>;

/** A follow-up email per outcome: any template of that type (the worker picks the contact's language version). */
function EmailTemplatePicker({ value, onChange, disabled, errors }: { value: TemplateChoice; onChange: (v: TemplateChoice) => void; disabled: boolean; errors: Record<TemplateType, ReactNode> }) {
  const { t } = useI18n();
  const { can } = useSession();
  const templates = useQuery({
    queryKey: ['templates', 'all-for-campaign'],
    queryFn: () => api<TemplatePage>('GET', '/api/templates?page_size=100'),
    enabled: can('templates:read'),
  });
  if (!can('templates:read')) return null;
  return (
    <fieldset disabled={disabled}>
      <legend>{t('form.emails')}</legend>
      <p className="muted">{t('form.emailsHint')}</p>
      {templates.isError && <ErrorState error={templates.error} onRetry={() => void templates.refetch()} />}
      <div className="row">
        {TEMPLATE_TYPES.map((type) => (
          <label key={type}>
            {t(`form.email.${type}` as MessageKey)}
            <select value={value[type] ?? ''} onChange={(e) => onChange({ ...value, [type]: e.target.value || null })} aria-busy={templates.isPending}>
              <option value="">{t('form.email.none')}</option>
              {(templates.data?.items ?? [])
                .filter((x) => x.type === type)
                .map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name} ({x.locale})
                  </option>
                ))}
            </select>
            {errors[type]}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
