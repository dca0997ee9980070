/** The do-not-call list: page, add, import (CSV), remove. Shapes are the server's. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { ExclusionAdded, ExclusionList, ExclusionOut } from '../../../src/http/routes/exclusions/schema';
import { api } from './api';
import { type ImportReport, uploadCsv } from './upload';

export type Exclusion = z.output<typeof ExclusionOut>;
export type ExclusionPage = z.output<typeof ExclusionList>;
export type ExclusionAddResult = z.output<typeof ExclusionAdded>;
export const EXCLUSION_SOURCES = ['import', 'api', 'manual'] as const;
export const EXCLUSIONS_PAGE_SIZE = 25;

export function useExclusions(p: { search: string; source: string; page: number }) {
  const qs = new URLSearchParams({ page: String(p.page), page_size: String(EXCLUSIONS_PAGE_SIZE) });
  if (p.search) qs.set('search', p.search);
  if (p.source) qs.set('source', p.source);
  return useQuery({
    queryKey: ['exclusions', p],
    queryFn: () => api<ExclusionPage>('GET', `/api/exclusions?${qs}`),
    placeholderData: keepPreviousData,
  });
}

export function useAddExclusion() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { phone_number: string; reason: string | null }) => api<ExclusionAddResult>('POST', '/api/exclusions', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['exclusions'] }),
  });
}

export function useRemoveExclusion() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Exclusion>('DELETE', `/api/exclusions/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['exclusions'] }),
  });
}

export interface ExclusionImportOptions {
  listName: string;
  listDate: string;
  reason: string;
}

export function importExclusions(file: File, o: ExclusionImportOptions, onProgress: (fraction: number) => void): Promise<ImportReport> {
  const qs = new URLSearchParams();
  if (o.listName.trim()) qs.set('list_name', o.listName.trim());
  if (o.listDate) qs.set('list_date', o.listDate);
  if (o.reason.trim()) qs.set('reason', o.reason.trim());
  const q = qs.toString();
  return uploadCsv(`/api/exclusions/import${q ? `?${q}` : ''}`, file, onProgress);
}
