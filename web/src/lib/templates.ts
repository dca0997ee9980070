/** Email templates: list, read, create, change, delete, preview. Shapes are the server's. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { TemplateVariable } from '../../../src/domain/email/preview';
import type { PreviewResult, Template as TemplateOut, TemplatePage as TemplatePageOut } from '../../../src/http/routes/templates/schema';
import { api } from './api';

export type Template = z.output<typeof TemplateOut>;
export type TemplatePage = z.output<typeof TemplatePageOut>;
export type Preview = z.output<typeof PreviewResult>;
export type TemplateType = Template['type'];
export type TemplateLocale = Template['locale'];
export interface TemplateDraft {
  name: string;
  type: TemplateType;
  locale: TemplateLocale;
  subject: string;
  body_html: string;
  body_text: string;
}

export const TEMPLATE_TYPES: readonly TemplateType[] = ['completed', 'refused', 'not_reached'];
export const TEMPLATE_LOCALES: readonly TemplateLocale[] = ['en', 'it'];
/** The variables a template may use (the server's list; the `satisfies` keeps it complete). */
export const TEMPLATE_VARIABLES = Object.keys({
  campaign_name: true,
  organization_name: true,
  contact_external_id: true,
  outcome: true,
  q1_question: true,
  q2_question: true,
  q3_question: true,
  q1_answer: true,
  q2_answer: true,
  q3_answer: true,
  answers_included: true,
} satisfies Record<TemplateVariable, true>);
export const TEMPLATES_PAGE_SIZE = 20;

export function useTemplates(p: { type: string; locale: string; q: string; page: number }) {
  const qs = new URLSearchParams({ page: String(p.page), page_size: String(TEMPLATES_PAGE_SIZE) });
  if (p.type) qs.set('type', p.type);
  if (p.locale) qs.set('locale', p.locale);
  if (p.q) qs.set('q', p.q);
  return useQuery({ queryKey: ['templates', p], queryFn: () => api<TemplatePage>('GET', `/api/templates?${qs}`), placeholderData: keepPreviousData });
}

export function useTemplate(id: string | undefined) {
  return useQuery({ queryKey: ['template', id], queryFn: () => api<Template>('GET', `/api/templates/${id}`), enabled: !!id });
}

/** The same template in the other language: same name and type (how the email worker finds translations). */
export function useTranslation(t: { id?: string; name: string; type: TemplateType; locale: TemplateLocale } | null) {
  const other: TemplateLocale = t?.locale === 'it' ? 'en' : 'it';
  const name = t?.name.trim() ?? '';
  return useQuery({
    queryKey: ['templates', 'translation', name, t?.type, other],
    enabled: !!t?.id && !!name,
    queryFn: async () => {
      const qs = new URLSearchParams({ q: name, type: t!.type, locale: other, page_size: '100' });
      const page = await api<TemplatePage>('GET', `/api/templates?${qs}`);
      return page.items.find((x) => x.name.trim() === name) ?? null;
    },
  });
}

export function useSaveTemplate(id: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<TemplateDraft>) => (id ? api<Template>('PUT', `/api/templates/${id}`, body) : api<Template>('POST', '/api/templates', body)),
    onSuccess: (saved) => {
      qc.setQueryData(['template', saved.id], saved);
      void qc.invalidateQueries({ queryKey: ['templates'] });
    },
  });
}

export function useDeleteTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>('DELETE', `/api/templates/${id}`),
    onSuccess: (_r, id) => {
      qc.removeQueries({ queryKey: ['template', id] });
      void qc.invalidateQueries({ queryKey: ['templates'] });
    },
  });
}

/** Renders an unsaved draft with the sample variables of `locale` (needs templates:write). */
export function useDraftPreview(draft: Omit<TemplateDraft, 'name' | 'locale'>, locale: TemplateLocale, enabled: boolean) {
  return useQuery({
    queryKey: ['template-preview', 'draft', locale, draft],
    queryFn: () => api<Preview>('POST', '/api/templates/preview', { ...draft, locale }),
    enabled,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: Infinity,
  });
}

/** Renders a saved template in its own language (templates:read is enough). */
export function useSavedPreview(id: string | undefined, updatedAt: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['template-preview', 'saved', id, updatedAt],
    queryFn: () => api<Preview>('POST', `/api/templates/${id}/preview`, {}),
    enabled: enabled && !!id,
    retry: false,
  });
}
