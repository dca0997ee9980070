/**
 * Demo-mode routes: which campaign the demo runs, and the demo mailbox (the
 * follow-up emails sent in demo mode). They are registered only by
 * `voicesurvey serve --demo` (src/demo/), never in a normal or production
 * server, where `/api/demo` is a plain 404.
 */
import { notFound } from '../../../domain/errors.js';
import type { DemoMailbox } from '../../../demo/mailbox.js';
import { defineRoute, type RouteDef } from '../../route.js';
import { DemoInfo, MailboxList, MailboxMessageOut, MailboxParams, MailboxQuery } from './schema.js';

export function demoRoutes(deps: { mailbox: DemoMailbox; campaignId: string; fast: boolean }): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/demo',
      access: 'authenticated',
      summary: 'Demo mode: present only when the server runs with --demo',
      description: 'The console shows its demo views when this answers 200; any other server answers 404.',
      tags: ['demo'],
      response: { 200: DemoInfo },
      handler: async () => ({ demo: true as const, campaign_id: deps.campaignId, fast: deps.fast }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/demo/mailbox',
      access: 'emails:read',
      summary: 'Demo mailbox: the follow-up emails sent in demo mode, newest first',
      tags: ['demo'],
      query: MailboxQuery,
      response: { 200: MailboxList },
      handler: async (req) => deps.mailbox.list({ limit: req.query.limit, offset: req.query.offset }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/demo/mailbox/:id',
      access: 'emails:read',
      summary: 'Demo mailbox: one email as sent (subject, recipient, text and HTML bodies)',
      tags: ['demo'],
      params: MailboxParams,
      response: { 200: MailboxMessageOut },
      handler: async (req) => {
        const m = await deps.mailbox.get(req.params.id);
        if (!m) throw notFound('demo_email');
        return m;
      },
    }),
  ];
}
