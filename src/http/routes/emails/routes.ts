/** Follow-up email routes: per-campaign list, admin list by status, retry (audited). */
import { listCampaignEmails, listEmails, retryEmail, type EmailSummary, type Page } from '../../../commands/email/notifications.js';
import { can } from '../../../domain/auth/permissions.js';
import type { ApiServices } from '../../api.js';
import type { Principal } from '../../auth/principal.js';
import { defineRoute, principalOf, type RouteDef } from '../../route.js';
import { CampaignEmailParams, CampaignEmailRetryParams, EmailList, EmailListQuery, EmailOut, type EmailOut as EmailOutT } from './schema.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function presentEmail(e: EmailSummary, principal: Principal | null, s: ApiServices): EmailOutT {
  return {
    id: e.id, campaign_id: e.campaign_id, contact_id: e.contact_id, event_id: e.event_id, template_id: e.template_id,
    to: e.to_masked, status: e.status, attempts: e.attempts, locale: e.locale, requested_locale: e.requested_locale,
    locale_note: e.locale_note, error: e.error_message, provider_message_id: e.provider_message_id, message_id: e.message_id,
    next_attempt_at: iso(e.next_attempt_at), sent_at: iso(e.sent_at), created_at: e.created_at.toISOString(), updated_at: e.updated_at.toISOString(),
    can: { retry: e.status !== 'sent' && !!principal && can(s.config.auth.matrix, principal.role, 'emails:retry') },
  };
}

const presentPage = (p: Page<EmailSummary>, principal: Principal | null, s: ApiServices) => ({
  items: p.items.map((e) => presentEmail(e, principal, s)),
  next_cursor: p.nextCursor,
});

export function emailRoutes(s: ApiServices): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/campaigns/:id/emails',
      access: 'emails:read',
      summary: 'List a campaign\'s follow-up emails',
      description: 'Newest first, keyset-paginated (`cursor` from `next_cursor`). Optional `status` filter. Recipients are masked.',
      tags: ['emails'],
      params: CampaignEmailParams,
      query: EmailListQuery,
      response: { 200: EmailList },
      handler: async (req) => presentPage(
        await listCampaignEmails(s.db, req.params.id, { limit: req.query.page_size, ...(req.query.status ? { status: req.query.status } : {}), ...(req.query.cursor ? { cursor: req.query.cursor } : {}) }),
        req.principal, s),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/admin/emails',
      access: 'emails:read',
      summary: 'List follow-up emails across campaigns (e.g. `?status=failed`)',
      tags: ['emails'],
      query: EmailListQuery,
      response: { 200: EmailList },
      handler: async (req) => presentPage(
        await listEmails(s.db, { limit: req.query.page_size, ...(req.query.status ? { status: req.query.status } : {}), ...(req.query.cursor ? { cursor: req.query.cursor } : {}) }),
        req.principal, s),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/campaigns/:id/emails/:emailId/retry',
      access: 'emails:retry',
      summary: 'Send a failed follow-up email again',
      description: 'Puts the email back in the queue with a fresh set of attempts. A sent email is never sent twice (409 `email.already_sent`). Audited.',
      tags: ['emails'],
      params: CampaignEmailRetryParams,
      response: { 200: EmailOut },
      handler: async (req) => {
        const p = principalOf(req);
        const e = await retryEmail(s.db, req.params.emailId, {
          now: new Date(), campaignId: req.params.id,
          audit: { actor: { userId: p.userId, role: p.role }, correlationId: req.id },
        });
        return presentEmail(e, req.principal, s);
      },
    }),
  ];
}
