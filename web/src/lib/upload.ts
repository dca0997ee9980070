/** CSV uploads with progress (XHR, since fetch has no upload progress); answers the import report. */
import type { ImportReportOut } from '../../../src/http/routes/contacts/schema';
import { ApiError } from './api';

export type ImportReport = ImportReportOut;

function csrf(): string | undefined {
  const m = document.cookie.split('; ').find((c) => c.startsWith('vsa_csrf='));
  return m ? decodeURIComponent(m.slice('vsa_csrf='.length)) : undefined;
}

/** POSTs `file` as multipart to `url` (contacts and exclusion imports share the report shape). */
export function uploadCsv(url: string, file: File, onProgress: (fraction: number) => void): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    const token = csrf();
    if (token) xhr.setRequestHeader('x-csrf-token', token);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload failed; check your connection and try again.'));
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as unknown as ImportReport);
      else reject(new ApiError(xhr.status, String(body['code'] ?? `http_${xhr.status}`), String(body['detail'] ?? xhr.statusText), (body['errors'] as never) ?? []));
    };
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}
