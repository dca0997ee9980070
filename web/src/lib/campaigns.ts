/** Campaign queries and mutations; shapes and validation come from the server's own schemas. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { CampaignInput, type CampaignOut } from '../../../src/http/routes/campaigns/schema';
import { api } from './api';

export type Campaign = CampaignOut;
export type CampaignForm = z.input<typeof CampaignInput>;
export interface CampaignPage {
  items: Campaign[];
  page: number;
  page_size: number;
  total: number;
}

export { CampaignInput };

/** Client-side validation with the server's schema: field path → message. */
export function validateCampaign(form: CampaignForm, partial: boolean): Record<string, string> {
  const schema = partial ? CampaignInput.partial() : CampaignInput;
  const r = schema.safeParse(form);
  if (r.success) return {};
  const out: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const key = issue.path.join('.') || '(form)';
    out[key] ??= issue.message;
  }
  return out;
}

export function useCampaigns(params: { status?: string; q?: string; page: number }) {
  const qs = new URLSearchParams({ page: String(params.page), page_size: '20' });
  if (params.status) qs.set('status', params.status);
  if (params.q) qs.set('q', params.q);
  return useQuery({
    queryKey: ['campaigns', params],
    queryFn: () => api<CampaignPage>('GET', `/api/campaigns?${qs}`),
    refetchInterval: 30_000,
  });
}

export function useCampaign(id: string) {
  return useQuery({ queryKey: ['campaign', id], queryFn: () => api<Campaign>('GET', `/api/campaigns/${id}`), refetchInterval: 15_000 });
}

export function useSaveCampaign(id?: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignForm) => (id ? api<Campaign>('PUT', `/api/campaigns/${id}`, body) : api<Campaign>('POST', '/api/campaigns', body)),
    onSuccess: (c) => {
      qc.setQueryData(['campaign', c.id], c);
      void qc.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
}

export function useCampaignAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (action: 'activate' | 'pause' | 'resume' | 'complete' | 'cancel') => api<Campaign>('POST', `/api/campaigns/${id}/${action}`),
    onSuccess: (c) => {
      qc.setQueryData(['campaign', c.id], c);
      void qc.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
}
