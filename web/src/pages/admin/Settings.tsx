/**
 * Runtime settings: telephony provider, LLM, email and retention. One form per
 * section, each saved with the version it was read at (a stale one is refused).
 * Secrets are never displayed: the API gives whether one is set and a mask; a
 * new value replaces it, and only what changed is sent.
 */
import { useState } from 'react';
import { Field } from '../../components/Field';
import { ErrorState, Loading } from '../../components/Layout';
import { type Config, type ConfigPatch, type SectionName, useConfig, useSaveConfig } from '../../lib/admin';
import { ApiError } from '../../lib/api';
import { type MessageKey, useI18n } from '../../lib/i18n';

type Kind = { kind: 'select'; options: readonly string[] } | { kind: 'text' | 'url' | 'email' | 'tel' } | { kind: 'number'; step?: string } | { kind: 'checkbox' } | { kind: 'secret' } | { kind: 'lines' };
type FieldSpec = { key: string; full?: boolean } & Kind;

const SECTIONS: Record<SectionName, readonly FieldSpec[]> = {
  telephony: [
    { key: 'provider', kind: 'select', options: ['simulator', 'twilio'] },
    { key: 'caller_number', kind: 'tel' },
    { key: 'account_sid', kind: 'text' },
    { key: 'auth_token', kind: 'secret' },
    { key: 'max_concurrent_calls', kind: 'number' },
    { key: 'calls_per_second', kind: 'number', step: 'any' },
  ],
  llm: [
    { key: 'provider', kind: 'select', options: ['none', 'openai', 'anthropic', 'azure-openai'] },
    { key: 'model', kind: 'text' },
    { key: 'base_url', kind: 'url' },
    { key: 'api_key', kind: 'secret' },
    { key: 'timeout_ms', kind: 'number' },
    { key: 'forbidden_topics', kind: 'lines', full: true },
  ],
  email: [
    { key: 'transport', kind: 'select', options: ['file', 'smtp'] },
    { key: 'from_address', kind: 'email' },
    { key: 'smtp_host', kind: 'text' },
    { key: 'smtp_port', kind: 'number' },
    { key: 'smtp_secure', kind: 'checkbox' },
    { key: 'smtp_user', kind: 'text' },
    { key: 'smtp_password', kind: 'secret' },
  ],
  retention: [
    { key: 'recording_days', kind: 'number' },
    { key: 'transcript_days', kind: 'number' },
  ],
};
const ORDER: readonly SectionName[] = ['telephony', 'llm', 'email', 'retention'];

type Secret = Config['llm']['api_key'];
/** What the form holds for a secret: untouched, a new value, or cleared. */
interface SecretEdit {
  value: string;
  clear: boolean;
}
type Values = Record<string, string | boolean | SecretEdit>;

function toValues(section: Record<string, unknown>, fields: readonly FieldSpec[]): Values {
  const out: Values = {};
  for (const f of fields) {
    const v = section[f.key];
    if (f.kind === 'secret') out[f.key] = { value: '', clear: false };
    else if (f.kind === 'checkbox') out[f.key] = v === true;
    else if (f.kind === 'lines') out[f.key] = ((v as string[] | undefined) ?? []).join('\n');
    else out[f.key] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

export function Settings() {
  const { t } = useI18n();
  const config = useConfig();
  if (config.isPending) return <Loading />;
  if (config.isError) return <ErrorState error={config.error} onRetry={() => void config.refetch()} />;
  const c = config.data;
  return (
    <div className="stack">
      <h2>{t('admin.settings.title')}</h2>
      <p className="muted">{t('admin.settings.lead')}</p>
      {c.encryption.development_key && (
        <p className="warn-box" role="note">
          {t('admin.settings.devKey')}
        </p>
      )}
      {c.encryption.stale_secrets.length > 0 && (
        <p className="warn-box" role="note">
          {t('admin.settings.stale', { list: c.encryption.stale_secrets.join(', ') })}
        </p>
      )}
      <p className="muted small">{t('admin.settings.keyId', { id: c.encryption.key_id })}</p>
      {ORDER.map((s) => (
        <SectionForm key={`${s}-${c[s].version}`} name={s} config={c} onReload={() => void config.refetch()} />
      ))}
    </div>
  );
}

function SectionForm({ name, config, onReload }: { name: SectionName; config: Config; onReload: () => void }) {
  const { t, locale } = useI18n();
  const section = config[name] as unknown as Record<string, unknown> & { version: number; updated_at: string | null; updated_by: { name: string } | null };
  const fields = SECTIONS[name];
  const [initial] = useState(() => toValues(section, fields));
  const [values, setValues] = useState<Values>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<{ text: string; conflict: boolean } | null>(null);
  const [nothing, setNothing] = useState(false);
  const save = useSaveConfig();
  const label = (key: string) => t(`admin.settings.${name}.${key}` as MessageKey);
  const set = (key: string, v: Values[string]) => {
    setNothing(false);
    setValues((x) => ({ ...x, [key]: v }));
  };

  /** Only the changed fields, typed as the API wants them; local problems for numbers. */
  function patch(): { body: Record<string, unknown>; problems: Record<string, string> } {
    const body: Record<string, unknown> = {};
    const problems: Record<string, string> = {};
    for (const f of fields) {
      const v = values[f.key]!;
      if (f.kind === 'secret') {
        const s = v as SecretEdit;
        if (s.value !== '') body[f.key] = s.value;
        else if (s.clear) body[f.key] = null;
        continue;
      }
      if (v === initial[f.key]) continue;
      if (f.kind === 'checkbox' || f.kind === 'select') body[f.key] = v;
      else if (f.kind === 'number') {
        const n = Number((v as string).trim());
        if ((v as string).trim() === '' || !Number.isFinite(n)) problems[f.key] = t('admin.settings.notNumber');
        else body[f.key] = n;
      } else if (f.kind === 'lines') {
        body[f.key] = (v as string)
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
      } else body[f.key] = (v as string).trim() === '' ? null : (v as string).trim();
    }
    return { body, problems };
  }

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBanner(null);
    setNothing(false);
    const { body, problems } = patch();
    setErrors(problems);
    if (Object.keys(problems).length) {
      setBanner({ text: t('admin.settings.fix'), conflict: false });
      return;
    }
    if (Object.keys(body).length === 0) {
      setNothing(true);
      return;
    }
    try {
      await save.mutateAsync({ [name]: { version: section.version, ...body } } as ConfigPatch);
      // The form remounts with the new version (see the key in Settings).
    } catch (err) {
      if (!(err instanceof ApiError)) {
        setBanner({ text: t('common.error'), conflict: false });
        return;
      }
      const fe: Record<string, string> = {};
      for (const p of err.errors) {
        // "llm.forbidden_topics.2" → forbidden_topics (line 3); "telephony.auth_token.env" → auth_token.
        const [sec, key, ...rest] = p.field.split('.');
        if (sec !== name || !key) continue;
        const line = rest.length && /^\d+$/.test(rest[0]!) ? t('admin.settings.line', { n: Number(rest[0]) + 1 }) + ' ' : '';
        fe[key] = fe[key] ? `${fe[key]}; ${line}${p.message}` : `${line}${p.message}`;
      }
      setErrors(fe);
      const conflict = err.code === 'settings.version_conflict';
      setBanner({ text: conflict ? t('admin.settings.conflict') : Object.keys(fe).length ? t('admin.settings.fix') : err.message, conflict });
    }
  }

  const id = (key: string) => `set-${name}-${key}`;
  const errorOf = (key: string) =>
    errors[key] ? (
      <span className="field-error" id={`${id(key)}-err`}>
        {errors[key]}
      </span>
    ) : null;
  const describe = (key: string, extra?: string) => {
    const ids = [errors[key] ? `${id(key)}-err` : '', extra ?? ''].filter(Boolean).join(' ');
    return { 'aria-invalid': errors[key] ? true : undefined, 'aria-describedby': ids || undefined };
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${id('title')}`}>
      <h3 id={id('title')}>{t(`admin.settings.${name}` as MessageKey)}</h3>
      <p className="muted small">
        {section.updated_at
          ? t('admin.settings.updated', { when: new Date(section.updated_at).toLocaleString(locale), who: section.updated_by?.name ?? '—', version: section.version })
          : t('admin.settings.defaults')}
      </p>
      {banner && (
        <div role="alert" className="error-box">
          <p>{banner.text}</p>
          {banner.conflict && (
            <button type="button" onClick={onReload}>
              {t('admin.settings.reload')}
            </button>
          )}
        </div>
      )}
      <div className="settings-grid">
        {fields.map((f) => {
          const v = values[f.key]!;
          if (f.kind === 'secret') {
            return <SecretField key={f.key} id={id(f.key)} label={label(f.key)} secret={section[f.key] as Secret} edit={v as SecretEdit} onChange={(s) => set(f.key, s)} error={errorOf(f.key)} describe={describe} fieldKey={f.key} />;
          }
          if (f.kind === 'checkbox') {
            return (
              <div key={f.key} className="field full">
                <label className="check">
                  <input type="checkbox" checked={v as boolean} onChange={(e) => set(f.key, e.target.checked)} {...describe(f.key)} />
                  {label(f.key)}
                </label>
                {errorOf(f.key)}
              </div>
            );
          }
          if (f.kind === 'select') {
            return (
              <Field key={f.key} id={id(f.key)} label={label(f.key)} error={errors[f.key]}>
                {(c) => (
                  <select {...c} value={v as string} onChange={(e) => set(f.key, e.target.value)}>
                    {f.options.map((o) => (
                      <option key={o} value={o}>
                        {t(`admin.settings.option.${o}` as MessageKey)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            );
          }
          if (f.kind === 'lines') {
            return (
              <Field key={f.key} id={id(f.key)} className="full" label={label(f.key)} error={errors[f.key]} hint={t('admin.settings.onePerLine')}>
                {(c) => <textarea {...c} rows={4} value={v as string} onChange={(e) => set(f.key, e.target.value)} />}
              </Field>
            );
          }
          return (
            <Field key={f.key} id={id(f.key)} label={label(f.key)} error={errors[f.key]}>
              {(c) => (
                <input
                  {...c}
                  type={f.kind === 'number' ? 'number' : f.kind}
                  step={f.kind === 'number' ? (f.step ?? '1') : undefined}
                  inputMode={f.kind === 'number' ? 'decimal' : undefined}
                  value={v as string}
                  onChange={(e) => set(f.key, e.target.value)}
                  autoComplete="off"
                  spellCheck={false}
                />
              )}
            </Field>
          );
        })}
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {t('admin.settings.save', { section: t(`admin.settings.${name}` as MessageKey) })}
        </button>
        <span aria-live="polite">{nothing && <span className="muted">{t('admin.settings.nothing')}</span>}</span>
      </div>
    </form>
  );
}

function SecretField({
  id,
  label,
  secret,
  edit,
  onChange,
  error,
  describe,
  fieldKey,
}: {
  id: string;
  label: string;
  secret: Secret;
  edit: SecretEdit;
  onChange: (s: SecretEdit) => void;
  error: React.ReactNode;
  describe: (key: string, extra?: string) => Record<string, unknown>;
  fieldKey: string;
}) {
  const { t } = useI18n();
  const state = !secret.set
    ? t('admin.settings.secret.unset')
    : secret.source === 'env'
      ? t('admin.settings.secret.env', { env: secret.env ?? '?', mask: secret.masked ?? '' })
      : t('admin.settings.secret.stored', { mask: secret.masked ?? '' });
  return (
    <div className="secret">
      <label htmlFor={id}>{label}</label>
      <span className="secret-state" id={`${id}-state`}>
        {state}
        {secret.set && !secret.usable && <strong> — {t('admin.settings.secret.unusable')}</strong>}
      </span>
      <input
        id={id}
        type="password"
        value={edit.value}
        onChange={(e) => onChange({ value: e.target.value, clear: false })}
        autoComplete="new-password"
        spellCheck={false}
        placeholder={secret.set ? t('admin.settings.secret.replace') : t('admin.settings.secret.enter')}
        {...describe(fieldKey, `${id}-state`)}
      />
      {error}
      {secret.set && (
        <label className="check">
          <input type="checkbox" checked={edit.clear} disabled={edit.value !== ''} onChange={(e) => onChange({ value: '', clear: e.target.checked })} />
          {t('admin.settings.secret.clear', { field: label })}
        </label>
      )}
    </div>
  );
}
