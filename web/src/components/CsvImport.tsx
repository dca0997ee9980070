/**
 * CSV import shared by contacts and the exclusion list: drop zone or file picker,
 * upload progress, then the import report (counts, rejected rows with their
 * line and reason, and the download of the full error file).
 */
import { useId, useState } from 'react';
import { ApiError } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type { ImportReport } from '../lib/upload';
import '../admin.css';

export function CsvUpload({
  upload,
  hint,
  onImported,
}: {
  upload: (file: File, onProgress: (fraction: number) => void) => Promise<ImportReport>;
  /** Which columns the file may have. */
  hint: string;
  onImported?: (report: ImportReport) => void;
}) {
  const { t } = useI18n();
  const [progress, setProgress] = useState<number | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const hintId = useId();

  async function send(file: File) {
    setReport(null);
    setFailure(null);
    setProgress(0);
    try {
      const r = await upload(file, setProgress);
      setReport(r);
      onImported?.(r);
    } catch (err) {
      setFailure(err instanceof ApiError ? [err.message, ...err.errors.map((e) => `${e.field}: ${e.message}`)].join(' — ') : t('common.error'));
    } finally {
      setProgress(null);
    }
  }

  return (
    <>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => (e.preventDefault(), setDragging(true))}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const f = e.dataTransfer.files[0];
          if (f) void send(f);
        }}
      >
        <p>{t('contacts.drop')}</p>
        <label className="button file-button">
          {t('contacts.choose')}
          <input
            type="file"
            accept=".csv,text/csv"
            className="sr-only"
            aria-describedby={hintId}
            disabled={progress !== null}
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void send(f);
            }}
          />
        </label>
        <p className="muted small" id={hintId}>
          {hint}
        </p>
        {progress !== null && (
          <progress max={1} value={progress} aria-label={t('contacts.uploading')}>
            {Math.round(progress * 100)}%
          </progress>
        )}
      </div>
      {failure && (
        <p role="alert" className="error-box">
          {failure}
        </p>
      )}
      {report && <ImportReportView report={report} />}
    </>
  );
}

export function ImportReportView({ report }: { report: ImportReport }) {
  const { t } = useI18n();
  return (
    <div className="report" role="status">
      <p>
        <strong>{t('contacts.report', { total: report.total_rows, accepted: report.accepted, rejected: report.rejected, duplicates: report.duplicates, excluded: report.excluded })}</strong>
      </p>
      {report.unknown_columns.length > 0 && <p className="muted">{t('contacts.unknownColumns', { cols: report.unknown_columns.join(', ') })}</p>}
      {report.errors.length > 0 && (
        <>
          <table className="table">
            <caption>{t('contacts.rejectedRows')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('contacts.line')}</th>
                <th scope="col">{t('contacts.field')}</th>
                <th scope="col">{t('contacts.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {report.errors.map((e, i) => (
                <tr key={i}>
                  <td className="num">{e.line}</td>
                  <td>{e.field}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <a href={report.errors_url} download>
            {t('contacts.downloadErrors', { n: report.errors_total })}
          </a>
        </>
      )}
    </div>
  );
}
