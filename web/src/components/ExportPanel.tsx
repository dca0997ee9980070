/** CSV export: starts an export job, follows its progress, then offers the signed download link. */
import { useState } from 'react';
import { ApiError } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { type ExportOptions, useExportJob, useStartExport } from '../lib/reporting';
import { ErrorState } from './Layout';

export function ExportPanel({ campaignId }: { campaignId: string }) {
  const { t, locale } = useI18n();
  const [options, setOptions] = useState<ExportOptions>({ delimiter: locale === 'it' ? ';' : ',', bom: true });
  const [jobId, setJobId] = useState<string | null>(null);
  const start = useStartExport(campaignId);
  const job = useExportJob(jobId);
  const status = job.data?.status ?? (jobId ? 'queued' : null);
  const busy = start.isPending || status === 'queued' || status === 'running';

  async function run() {
    setJobId(null);
    try {
      const created = await start.mutateAsync(options);
      setJobId(created.id);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }

  return (
    <section className="panel export" aria-labelledby="export-title">
      <h3 id="export-title">{t('dash.export.title')}</h3>
      <div className="filters">
        <label>
          {t('dash.export.delimiter')}
          <select value={options.delimiter} onChange={(e) => setOptions({ ...options, delimiter: e.target.value as ExportOptions['delimiter'] })} disabled={busy}>
            <option value=",">{t('dash.export.comma')}</option>
            <option value=";">{t('dash.export.semicolon')}</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={options.bom} onChange={(e) => setOptions({ ...options, bom: e.target.checked })} disabled={busy} />
          {t('dash.export.bom')}
        </label>
        <button type="button" className="primary" onClick={() => void run()} disabled={busy}>
          {status === 'done' || status === 'failed' ? t('dash.export.again') : t('dash.export.start')}
        </button>
      </div>
      {start.isError && <ErrorState error={start.error} onRetry={() => void run()} />}
      {job.isError && <ErrorState error={job.error} onRetry={() => void job.refetch()} />}
      <div aria-live="polite">
        {(status === 'queued' || status === 'running') && (
          <p className="export-progress">
            <progress aria-label={t('dash.export.progress')} />
            <span>{status === 'queued' ? t('dash.export.queued') : t('dash.export.running')}</span>
          </p>
        )}
        {status === 'failed' && <p className="error-box">{t('dash.export.failed')}</p>}
        {status === 'done' && job.data && (
          <p className="export-done">
            <span>{t('dash.export.done', { rows: job.data.row_count ?? 0 })}</span>{' '}
            {job.data.download_url && (
              <a className="button primary" href={job.data.download_url} download>
                {t('dash.export.download')}
              </a>
            )}{' '}
            {job.data.download_url_expires_at && (
              <span className="muted small">{t('dash.export.expires', { time: new Date(job.data.download_url_expires_at).toLocaleString(locale === 'it' ? 'it-IT' : 'en-GB') })}</span>
            )}
          </p>
        )}
      </div>
    </section>
  );
}
