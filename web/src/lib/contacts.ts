/** Contacts: list, and CSV upload with progress (XHR, since fetch has no upload progress). */
import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { ContactList, ImportReportOut } from '../../../src/http/routes/contacts/schema';
import { api, ApiError } from './api';

export type ImportReport = ImportReportOut;
export type ContactPage = z.output<typeof ContactList>;

export function useContacts(campaignId: string, p: { state?: string; outcome?: string; search?: string; page: number }) {
  const qs = new URLSearchParams({ page: String(p.page), page_size: '25' });
  if (p.state) qs.set('state', p.state);
  if (p.outcome) qs.set('last_outcome', p.outcome);
  if (p.search) qs.set('search', p.search);
  return useQuery({
    queryKey: ['contacts', campaignId, p],
    queryFn: () => api<ContactPage>('GET', `/api/campaigns/${campaignId}/contacts?${qs}`),
    refetchInterval: 20_000,
  });
}

function csrf(): string | undefined {
  const m = document.cookie.split('; ').find((c) => c.startsWith('vsa_csrf='));
  return m ? decodeURIComponent(m.slice('vsa_csrf='.length)) : undefined;
}

export function uploadContacts(campaignId: string, file: File, onProgress: (fraction: number) => void): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/campaigns/${campaignId}/contacts/upload`);
    xhr.withCredentials = true;
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
