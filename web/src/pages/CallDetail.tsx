/**
 * One call: outcome and timestamps, a timeline of what happened, and the
 * conversation turn by turn — what was heard, how it was understood and how
 * long we took. Only roles with calls:read (the API refuses viewers).
 */
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorState, Loading } from '../components/Layout';
import { usePercent } from '../components/Dashboard';
import { ApiError } from '../lib/api';
import { type MessageKey, useI18n } from '../lib/i18n';
import { type CallDetail as Call, useCall } from '../lib/reporting';
import '../components/dashboard.css';

const INTENTS = ['yes', 'no', 'answer', 'repeat', 'callback', 'opt_out', 'unclear'];

export function CallDetail() {
  const { callId = '' } = useParams();
  const { t } = useI18n();
  const call = useCall(callId);

  if (call.isPending) return <Loading />;
  if (call.isError) {
    const status = call.error instanceof ApiError ? call.error.status : 0;
    if (status === 404 || status === 403) {
      return (
        <section className="call-missing">
          <h1>{status === 404 ? t('call.notFound') : t('call.forbidden')}</h1>
          <p>
            <Link to="/campaigns">← {t('nav.campaigns')}</Link>
          </p>
        </section>
      );
    }
    return <ErrorState error={call.error} onRetry={() => void call.refetch()} />;
  }
  const c = call.data;
  return (
    <section className="call-detail">
      <Link to={`/campaigns/${c.campaign_id}`}>← {t('call.back')}</Link>
      <h1>
        {t('call.title', { n: c.attempt_number })}{' '}
        <span className={`badge outcome-${c.outcome ?? 'none'}`}>{c.outcome ? t(`outcome.${c.outcome}` as MessageKey) : t('call.inProgress')}</span>
      </h1>
      <Summary c={c} />
      <div className="call-grid">
        <Timeline c={c} />
        <div>
          {c.consent && <Consent c={c} />}
          {c.recording && (
            <section className="card" aria-labelledby="rec-title">
              <h2 id="rec-title">{t('call.recording')}</h2>
              <a href={c.recording.url} target="_blank" rel="noreferrer">
                {t('call.listen', { date: new Date(c.recording.available_until).toLocaleDateString() })}
              </a>
            </section>
          )}
        </div>
      </div>
      <Turns c={c} />
      {c.transcript.length > 0 && (
        <section className="card" aria-labelledby="transcript-title">
          <h2 id="transcript-title">{t('call.transcript')}</h2>
          <ol className="transcript">
            {c.transcript.map((s, i) => (
              <li key={i}>
                <Time at={s.at} /> <span className="pre">{s.text}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}

function useTime() {
  const { locale } = useI18n();
  const tag = locale === 'it' ? 'it-IT' : 'en-GB';
  return (iso: string) => new Date(iso).toLocaleString(tag, { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function Time({ at }: { at: string | null }) {
  const fmt = useTime();
  if (!at) return null;
  return <time dateTime={at}>{fmt(at)}</time>;
}

function Summary({ c }: { c: Call }) {
  const { t } = useI18n();
  const rows: [MessageKey, ReactNode][] = [
    ['call.outcome', c.outcome ? t(`outcome.${c.outcome}` as MessageKey) : t('call.inProgress')],
    ['attempt.number', c.attempt_number],
    ['call.started', <Time at={c.started_at} key="s" />],
    ['call.answered', c.answered_at ? <Time at={c.answered_at} /> : '—'],
    ['call.ended', c.ended_at ? <Time at={c.ended_at} /> : '—'],
    ['call.duration', c.duration_seconds === null ? '—' : t('call.seconds', { n: c.duration_seconds })],
    ['call.answeredBy', c.answered_by ?? '—'],
    ['call.contact', c.external_contact_id ?? '—'],
    ['call.providerId', c.provider_call_id ? <code>{c.provider_call_id}</code> : '—'],
  ];
  if (c.error_code) rows.push(['call.error', <code key="e">{c.error_code}</code>]);
  return (
    <section className="card" aria-labelledby="summary-title">
      <h2 id="summary-title" className="sr-only">
        {t('call.summary')}
      </h2>
      <dl className="summary">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{t(k)}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Timeline({ c }: { c: Call }) {
  const { t } = useI18n();
  const items: { at: string; text: string; key: string }[] = [];
  c.events.forEach((e, i) => items.push({ at: e.at, text: t('call.event.status', { status: e.raw_status }), key: `e${i}` }));
  if (c.consent?.at) items.push({ at: c.consent.at, text: t('call.event.consent'), key: 'consent' });
  if (c.ended_at && !c.events.length) items.push({ at: c.ended_at, text: t('call.event.ended'), key: 'ended' });
  items.sort((a, b) => a.at.localeCompare(b.at));
  // Dialling comes first, whatever the provider's clock says about its own first event.
  if (c.started_at) items.unshift({ at: c.started_at, text: t('call.event.dialled'), key: 'dialled' });
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('call.timeline')}</h2>
      {items.length === 0 ? (
        <p className="muted">—</p>
      ) : (
        <ol className="timeline">
          {items.map((i) => (
            <li key={i.key}>
              <Time at={i.at} /> <span>{i.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Consent({ c }: { c: Call }) {
  const { t } = useI18n();
  const fmt = useTime();
  if (!c.consent) return null;
  return (
    <section className="card" aria-labelledby="consent-title">
      <h2 id="consent-title">{t('call.consent')}</h2>
      <p>{t('call.consentAt', { time: c.consent.at ? fmt(c.consent.at) : '—' })}</p>
      {c.consent.wording && <blockquote>{c.consent.wording}</blockquote>}
    </section>
  );
}

function Turns({ c }: { c: Call }) {
  const { t } = useI18n();
  const pct = usePercent();
  return (
    <section className="card" aria-labelledby="turns-title">
      <h2 id="turns-title">{t('call.turns')}</h2>
      {c.turns.length === 0 ? (
        <p className="muted">{t('call.noTurns')}</p>
      ) : (
        <ol className="turns">
          {c.turns.map((turn, i) => {
            const step = turn.step && ['intro', 'consent', 'q1', 'q2', 'q3', 'closing'].includes(turn.step) ? t(`call.step.${turn.step}` as MessageKey) : (turn.step ?? '—');
            const it = turn.interpretation;
            const understood = it
              ? [
                  INTENTS.includes(it.intent) ? t(`call.intent.${it.intent}` as MessageKey) : it.intent,
                  it.value !== null && it.value !== undefined ? t('call.value', { value: String(it.value) }) : null,
                  it.confidence !== null ? t('call.confidence', { pct: pct(it.confidence) ?? '—' }) : null,
                  turn.interpreter ? t('call.by', { interpreter: turn.interpreter }) : null,
                ].filter(Boolean).join(' · ')
              : null;
            return (
              <li key={i} className="turn">
                <h3>
                  {t('call.turn', { n: i + 1, step })} <Time at={turn.at} />
                </h3>
                <dl>
                  {turn.step !== 'intro' && (
                    <div>
                      <dt>{t('call.heard')}</dt>
                      <dd className="heard">
                        {turn.text ? `“${turn.text}”` : t('call.silence')}
                        {turn.asr_confidence !== null && <span className="muted small"> ({t('call.asr', { pct: pct(turn.asr_confidence) ?? '—' })})</span>}
                      </dd>
                    </div>
                  )}
                  {turn.step !== 'intro' && (
                    <div>
                      <dt>{t('call.understood')}</dt>
                      <dd className="understood">{understood ?? <span className="muted">{t('call.notInterpreted')}</span>}</dd>
                    </div>
                  )}
                  {turn.prompt && (
                    <div>
                      <dt>{t('call.replied')}</dt>
                      <dd className="prompt">{turn.prompt}</dd>
                    </div>
                  )}
                </dl>
                {turn.processing_ms !== null && <p className="took muted small">{t('call.took', { ms: Math.round(turn.processing_ms) })}</p>}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
