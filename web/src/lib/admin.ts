/** Admin: runtime configuration, users and roles, the audit log, failed follow-up emails. Shapes are the server's. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { AuditPage as AuditPageOut, ConfigUpdateBody, ConfigView, UserPage as UserPageOut, UserView } from '../../../src/http/routes/admin/schema';
import type { EmailList, EmailOut } from '../../../src/http/routes/emails/schema';
import { api } from './api';

export type Config = z.output<typeof ConfigView>;
export type ConfigPatch = z.input<typeof ConfigUpdateBody>;
export type SectionName = 'telephony' | 'llm' | 'email' | 'retention';
export type User = z.output<typeof UserView>;
export type UserPage = z.output<typeof UserPageOut>;
export type Role = User['role'];
export type AuditPage = z.output<typeof AuditPageOut>;
export type AuditEntry = AuditPage['items'][number];
export type Email = EmailOut;
export type EmailPage = z.output<typeof EmailList>;

/** Whether the signed-in user has any admin screen (drives the main navigation). */
export function canAdmin(can: (p: string) => boolean): boolean {
  return can('admin:config') || can('admin:users') || can('admin:audit');
}

export const ROLES: readonly Role[] = ['admin', 'campaign_manager', 'viewer'];
export const USERS_PAGE_SIZE = 20;

export function useConfig() {
  return useQuery({ queryKey: ['admin', 'config'], queryFn: () => api<Config>('GET', '/api/admin/config') });
}

export function useSaveConfig() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: ConfigPatch) => api<Config>('PUT', '/api/admin/config', patch),
    onSuccess: (config) => {
      qc.setQueryData(['admin', 'config'], config);
      void qc.invalidateQueries({ queryKey: ['admin', 'audit'] });
    },
  });
}

export function useUsers(p: { q: string; role: string; page: number; pageSize?: number }, enabled = true) {
  const qs = new URLSearchParams({ page: String(p.page), page_size: String(p.pageSize ?? USERS_PAGE_SIZE) });
  if (p.q) qs.set('q', p.q);
  if (p.role) qs.set('role', p.role);
  return useQuery({ queryKey: ['admin', 'users', p], queryFn: () => api<UserPage>('GET', `/api/admin/users?${qs}`), placeholderData: keepPreviousData, enabled });
}

export function useSetRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; role: Role }) => api<User>('PUT', `/api/admin/users/${v.id}/role`, { role: v.role }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['admin', 'users'] });
      void qc.invalidateQueries({ queryKey: ['admin', 'audit'] });
      void qc.invalidateQueries({ queryKey: ['me'] });
    },
  });
}

export interface AuditFilters {
  action: string;
  actor: string;
  target_type: string;
  target_id: string;
  outcome: string;
  /** ISO 8601 date-times. */
  from: string;
  to: string;
}
export const NO_AUDIT_FILTERS: AuditFilters = { action: '', actor: '', target_type: '', target_id: '', outcome: '', from: '', to: '' };

export function useAudit(filters: AuditFilters, cursor: string | null) {
  const qs = new URLSearchParams({ limit: '25' });
  for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
  if (cursor) qs.set('cursor', cursor);
  return useQuery({ queryKey: ['admin', 'audit', filters, cursor], queryFn: () => api<AuditPage>('GET', `/api/admin/audit?${qs}`), placeholderData: keepPreviousData });
}

export function useEmails(status: string, cursor: string | null) {
  const qs = new URLSearchParams({ page_size: '25' });
  if (status) qs.set('status', status);
  if (cursor) qs.set('cursor', cursor);
  return useQuery({ queryKey: ['admin', 'emails', status, cursor], queryFn: () => api<EmailPage>('GET', `/api/admin/emails?${qs}`), placeholderData: keepPreviousData });
}

export function useRetryEmail() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (e: Pick<Email, 'id' | 'campaign_id'>) => api<Email>('POST', `/api/campaigns/${e.campaign_id}/emails/${e.id}/retry`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['admin', 'emails'] });
      void qc.invalidateQueries({ queryKey: ['admin', 'audit'] });
    },
  });
}
