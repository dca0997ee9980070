/**
 * The campaign dashboard: key figures, AAPOR rates, funnel, calls over time and
 * answer distributions, live (server-sent events, polling fallback), with the
 * export for roles that may export. Every chart has its figures in a table.
 */
import { type ReactElement, type ReactNode, useId, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useSession } from '../lib/auth';
import { type MessageKey, useI18n } from '../lib/i18n';
import { type CampaignStats, type LiveMode, useCampaignStats } from '../lib/reporting';
import { ExportPanel } from './ExportPanel';
import { ErrorState, Loading } from './Layout';
import './dashboard.css';

const TILES = ['total', 'completed', 'refused', 'not_reached', 'awaiting_retry', 'excluded'] as const;
const RATES = ['RR1', 'RR2', 'COOP1', 'REF1', 'CON1'] as const;
const FUNNEL = ['dialled', 'answered_by_person', 'consented', 'q1', 'q2', 'q3', 'completed'] as const;
/** Series colours (≥ 3:1 against white) and dash patterns, so lines differ without colour too. */
const SERIES = [
  { key: 'attempts', color: '#0b5cad', dash: undefined },
  { key: 'answers', color: '#8a5a00', dash: '6 3' },
  { key: 'completions', color: '#1d6b35', dash: '2 2' },
] as const;

export function usePercent() {
  const { locale } = useI18n();
  const f = new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-GB', { style: 'percent', maximumFractionDigits: 1 });
  return (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? null : f.format(v));
}

export function Dashboard({ campaignId }: { campaignId: string }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const stats = useCampaignStats(campaignId);

  return (
    <section className="card dashboard" aria-labelledby="dash-title">
      <div className="dash-head">
        <h2 id="dash-title">{t('dash.title')}</h2>
        <div className="dash-live">
          <LiveBadge mode={stats.mode} />
          {stats.data && (
            <span className="muted small">
              {t('dash.updated', { time: new Date(stats.data.generated_at).toLocaleTimeString(locale === 'it' ? 'it-IT' : 'en-GB') })}
            </span>
          )}
          <button type="button" onClick={() => void stats.refetch()} disabled={stats.isFetching}>
            {t('dash.refresh')}
          </button>
        </div>
      </div>
      {stats.isPending ? (
        <Loading />
      ) : stats.isError && !stats.data ? (
        <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
      ) : stats.data.contacts.total === 0 ? (
        <p className="empty">{t('dash.empty')}</p>
      ) : (
        <>
          {stats.isError && <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />}
          <Figures s={stats.data} />
          {can('contacts:export') && <ExportPanel campaignId={campaignId} />}
        </>
      )}
    </section>
  );
}

function LiveBadge({ mode }: { mode: LiveMode }) {
  const { t } = useI18n();
  const label = mode === 'live' ? t('dash.live') : mode === 'connecting' ? t('dash.connecting') : t('dash.polling');
  return (
    <span className={`live live-${mode}`} role="status">
      <span className="live-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

function Figures({ s }: { s: CampaignStats }) {
  const { t } = useI18n();
  const pct = usePercent();
  const total = s.contacts.total;
  const value: Record<(typeof TILES)[number], number> = {
    total,
    completed: s.totals.completed,
    refused: s.totals.refused,
    not_reached: s.totals.not_reached_final,
    awaiting_retry: s.totals.awaiting_retry,
    excluded: s.totals.excluded,
  };
  return (
    <>
      <ul className="tiles dash-tiles" aria-label={t('dash.tiles')}>
        {TILES.map((k) => (
          <li key={k} className={`tile tile-${k}`}>
            <span className="tile-label">{t(`dash.tile.${k}` as MessageKey)}</span>
            <span className="tile-value">{value[k].toLocaleString()}</span>
            {k !== 'total' && <span className="tile-pct">{t('dash.tile.pct', { pct: pct(total > 0 ? value[k] / total : null) ?? '—' })}</span>}
            {k === 'total' && <span className="tile-pct">{t('dash.tile.rest', { notYet: s.totals.not_yet_called, inProgress: s.totals.in_progress })}</span>}
          </li>
        ))}
      </ul>
      <div className="dash-grid">
        <Rates s={s} />
        <Funnel s={s} />
      </div>
      <CallsOverTime s={s} />
      <Answers s={s} />
      <Timing s={s} />
    </>
  );
}

function Rates({ s }: { s: CampaignStats }) {
  const { t } = useI18n();
  const pct = usePercent();
  const c = s.aapor.counts;
  return (
    <section aria-labelledby="rates-title" className="panel">
      <h3 id="rates-title">{t('dash.rates.title')}</h3>
      <dl className="rates">
        {RATES.map((r) => {
          const v = pct(s.aapor.rates[r]);
          return (
            <div key={r} className="rate">
              <dt>
                <abbr title={t(`dash.rates.${r}` as MessageKey)}>{r}</abbr>
              </dt>
              <dd className="rate-value">{v ?? <span title={t('dash.rates.naExplained')}>{t('dash.rates.na')}</span>}</dd>
              <dd className="rate-text small">{t(`dash.rates.${r}` as MessageKey)}</dd>
            </div>
          );
        })}
      </dl>
      <p className="muted small">{t('dash.rates.counts', { I: c.I, P: c.P, R: c.R, NC: c.NC, U: c.U, X: c.X })}</p>
    </section>
  );
}

function Funnel({ s }: { s: CampaignStats }) {
  const { t } = useI18n();
  const pct = usePercent();
  const dialled = s.funnel.dialled;
  return (
    <section aria-labelledby="funnel-title" className="panel">
      <h3 id="funnel-title">{t('dash.funnel.title')}</h3>
      <ol className="funnel">
        {FUNNEL.map((k) => {
          const n = s.funnel[k];
          const share = dialled > 0 ? n / dialled : 0;
          return (
            <li key={k}>
              <span className="funnel-label">{t(`dash.funnel.${k}` as MessageKey)}</span>
              <span className="funnel-bar" aria-hidden="true">
                <span style={{ width: `${Math.max(share * 100, n > 0 ? 1 : 0)}%` }} />
              </span>
              <span className="funnel-value">
                <strong>{n.toLocaleString()}</strong>
                {k !== 'dialled' && dialled > 0 && <span className="muted small"> · {t('dash.funnel.ofDialled', { pct: pct(share) ?? '—' })}</span>}
              </span>
            </li>
          );
        })}
      </ol>
      {s.funnel.approximate && <p className="muted small">{t('dash.funnel.approximate')}</p>}
    </section>
  );
}

/** Local campaign-time label (`2026-03-02T14:00` / `2026-03-02`) in the interface language, without moving it to the browser's zone. */
function useBucketLabel() {
  const { locale } = useI18n();
  const tag = locale === 'it' ? 'it-IT' : 'en-GB';
  return (start: string) => {
    const [y, m, d] = start.slice(0, 10).split('-').map(Number) as [number, number, number];
    const hour = start.length > 10 ? Number(start.slice(11, 13)) : null;
    const minute = start.length > 10 ? Number(start.slice(14, 16)) : 0;
    const date = new Date(Date.UTC(y, m - 1, d, hour ?? 0, minute));
    return date.toLocaleString(tag, { timeZone: 'UTC', day: '2-digit', month: 'short', ...(hour === null ? {} : { hour: '2-digit', minute: '2-digit' }) });
  };
}

function CallsOverTime({ s }: { s: CampaignStats }) {
  const { t } = useI18n();
  const label = useBucketLabel();
  const name = useId();
  const [period, setPeriod] = useState<'hourly' | 'daily'>(s.series.daily.length > 2 ? 'daily' : 'hourly');
  const points = s.series[period].map((p) => ({ ...p, label: label(p.start) }));
  const periodText = t(`dash.calls.${period}` as MessageKey);
  return (
    <section aria-labelledby="calls-title" className="panel">
      <div className="panel-head">
        <h3 id="calls-title">{t('dash.calls.title')}</h3>
        <fieldset className="segmented">
          <legend className="sr-only">{t('dash.calls.period')}</legend>
          {(['hourly', 'daily'] as const).map((p) => (
            <label key={p} className={period === p ? 'on' : ''}>
              <input type="radio" name={name} value={p} checked={period === p} onChange={() => setPeriod(p)} />
              {t(`dash.calls.${p}` as MessageKey)}
            </label>
          ))}
        </fieldset>
      </div>
      <p className="muted small">{t('dash.calls.tz', { tz: s.timezone })}</p>
      {points.length === 0 ? (
        <p className="empty">{t('dash.calls.empty')}</p>
      ) : (
        <ChartWithTable
          label={t('dash.calls.chart', { period: periodText.toLowerCase(), n: points.length })}
          height={260}
          caption={
            <>
              {t('dash.calls.title')} ({periodText.toLowerCase()}, {s.timezone})
            </>
          }
          head={t('dash.calls.time')}
          columns={SERIES.map((x) => ({ key: x.key, label: t(`dash.calls.${x.key}` as MessageKey), value: (p: (typeof points)[number]) => p[x.key] }))}
          rows={points}
          rowKey={(p) => p.start}
          rowHead={(p) => p.label}
        >
          {points.length <= 24 ? (
            // Few points: grouped bars read better than lines between two or three dots.
            <BarChart data={points} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid stroke="#d5dae0" strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={{ fill: '#555e69', fontSize: 12 }} minTickGap={16} />
              <YAxis allowDecimals={false} tick={{ fill: '#555e69', fontSize: 12 }} width={40} />
              <Tooltip />
              <Legend itemSorter={null} />
              {SERIES.map((x) => (
                <Bar key={x.key} dataKey={x.key} name={t(`dash.calls.${x.key}` as MessageKey)} fill={x.color} maxBarSize={28} isAnimationActive={false} />
              ))}
            </BarChart>
          ) : (
            <LineChart data={points} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid stroke="#d5dae0" strokeDasharray="3 3" />
              <XAxis dataKey="label" tick={{ fill: '#555e69', fontSize: 12 }} minTickGap={24} />
              <YAxis allowDecimals={false} tick={{ fill: '#555e69', fontSize: 12 }} width={40} />
              <Tooltip />
              <Legend itemSorter={null} />
              {SERIES.map((x) => (
                <Line key={x.key} type="monotone" dataKey={x.key} name={t(`dash.calls.${x.key}` as MessageKey)} stroke={x.color} strokeWidth={2} strokeDasharray={x.dash} dot={false} isAnimationActive={false} />
              ))}
            </LineChart>
          )}
        </ChartWithTable>
      )}
    </section>
  );
}

function Answers({ s }: { s: CampaignStats }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="answers-title" className="panel">
      <h3 id="answers-title">{t('dash.answers.title')}</h3>
      <div className="answers">
        {s.questions.map((q) => (
          <QuestionAnswers key={q.question} q={q} />
        ))}
      </div>
    </section>
  );
}

function QuestionAnswers({ q }: { q: CampaignStats['questions'][number] }) {
  const { t } = useI18n();
  const headingId = useId();
  const bins = q.histogram ?? [];
  return (
    <article className="question" aria-labelledby={headingId}>
      <h4 id={headingId}>
        {t('dash.answers.question', { n: q.question })}
        <span className="question-text">{q.text}</span>
      </h4>
      <p className="muted small">
        {t('dash.answers.summary', { n: q.responses, distinct: q.distinct })}
        {q.unparsed ? ` · ${t('dash.answers.unparsed', { n: q.unparsed })}` : ''}
      </p>
      {q.responses === 0 ? (
        <p className="muted">{t('dash.answers.none')}</p>
      ) : q.type === 'free_text' ? (
        <table className="table compact">
          <caption>{t('dash.answers.top')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('dash.answers.value')}</th>
              <th scope="col" className="num">
                {t('dash.answers.count')}
              </th>
            </tr>
          </thead>
          <tbody>
            {(q.top ?? []).map((a) => (
              <tr key={a.answer}>
                <td>{a.answer}</td>
                <td className="num">{a.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <ChartWithTable
          label={t('dash.answers.chart', { n: q.question, bins: bins.length })}
          height={180}
          compact
          caption={t('dash.answers.question', { n: q.question })}
          head={t('dash.answers.value')}
          columns={[{ key: 'count', label: t('dash.answers.count'), value: (b: (typeof bins)[number]) => b.count }]}
          rows={bins}
          rowKey={(b) => b.label}
          rowHead={(b) => b.label}
        >
          <BarChart data={bins} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#d5dae0" strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fill: '#555e69', fontSize: 12 }} interval={0} />
            <YAxis allowDecimals={false} tick={{ fill: '#555e69', fontSize: 12 }} width={32} />
            <Tooltip />
            <Bar dataKey="count" name={t('dash.answers.count')} fill="#0b5cad" isAnimationActive={false} />
          </BarChart>
        </ChartWithTable>
      )}
    </article>
  );
}

/**
 * A chart, labelled as one image for assistive technology, with its figures in a table behind
 * "show the figures": a header column (`head`, each row's `rowHead`) and one numeric column per `columns`.
 */
function ChartWithTable<R>({
  label,
  height,
  compact = false,
  caption,
  head,
  columns,
  rows,
  rowKey,
  rowHead,
  children,
}: {
  label: string;
  height: number;
  compact?: boolean;
  caption: ReactNode;
  head: string;
  columns: readonly { key: string; label: string; value: (row: R) => ReactNode }[];
  rows: readonly R[];
  rowKey: (row: R) => string;
  rowHead: (row: R) => ReactNode;
  children: ReactElement;
}) {
  const { t } = useI18n();
  return (
    <figure className="chart">
      <div role="img" aria-label={label} className="chart-box">
        <ResponsiveContainer width="100%" height={height}>
          {children}
        </ResponsiveContainer>
      </div>
      <details className="data-table">
        <summary>{t('dash.table.show')}</summary>
        <table className={compact ? 'table compact' : 'table'}>
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{head}</th>
              {columns.map((c) => (
                <th key={c.key} scope="col" className="num">
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={rowKey(r)}>
                <th scope="row">{rowHead(r)}</th>
                {columns.map((c) => (
                  <td key={c.key} className="num">
                    {c.value(r)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

function Timing({ s }: { s: CampaignStats }) {
  const { t } = useI18n();
  const secs = (v: number | null) => (v === null ? '—' : t('call.seconds', { n: Math.round(v) }));
  if (s.call_duration.answered_calls === 0 && !s.turn_latency.available) return null;
  return (
    <p className="muted small">
      {s.call_duration.answered_calls > 0 && t('dash.durations', { avg: secs(s.call_duration.avg_seconds), p95: secs(s.call_duration.p95_seconds) })}
      {s.turn_latency.available && s.turn_latency.p95_ms !== null && <> · {t('dash.latency', { ms: Math.round(s.turn_latency.p95_ms) })}</>}
    </p>
  );
}
