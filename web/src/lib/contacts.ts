/** Contacts: list, and CSV upload with progress (see upload.ts). */
import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { ContactList } from '../../../src/http/routes/contacts/schema';
import { api } from './api';
import { type ImportReport, uploadCsv } from './upload';

export type { ImportReport };
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

export function uploadContacts(campaignId: string, file: File, onProgress: (fraction: number) => void): Promise<ImportReport> {
  return uploadCsv(`/api/campaigns/${campaignId}/contacts/upload`, file, onProgress);
}
