/** Campaign routes: create, list, read, edit, status changes, soft delete. */
import {
  changeCampaignStatus,
  countsByState,
  createCampaign,
  getCampaign,
  listCampaigns,
  updateCampaign,
} from '../../../commands/campaigns/campaigns.js';
import type { CampaignAction } from '../../../domain/campaigns/status.js';
import type { ApiServices } from '../../api.js';
import { presentCampaign } from '../../presenters/campaign.js';
import { defineRoute, principalOf, type RouteDef } from '../../route.js';
import { CampaignInput, CampaignList, CampaignListQuery, CampaignOut, CampaignUpdate, IdParams } from './schema.js';

const actor = (req: { principal: Parameters<typeof principalOf>[0]['principal'] }) => {
  const p = principalOf(req);
  return { userId: p.userId, role: p.role };
};

export function campaignRoutes(s: ApiServices): RouteDef[] {
  const matrix = s.config.auth.matrix;
  const statusRoute = (action: Exclude<CampaignAction, 'start'>, summary: string, description?: string) =>
    defineRoute({
      method: 'POST',
      url: `/api/campaigns/:id/${action}`,
      access: 'campaign:write',
      summary,
      ...(description ? { description } : {}),
      tags: ['campaigns'],
      params: IdParams,
      response: { 200: CampaignOut },
      handler: async (req) => {
        const row = await changeCampaignStatus(s.db, req.params.id, action, { actor: actor(req), correlationId: req.id });
        const counts = (await countsByState(s.db, [row.id])).get(row.id)!;
        return presentCampaign(row, counts, req.principal, matrix);
      },
    });

  return [
    defineRoute({
      method: 'POST',
      url: '/api/campaigns',
      access: 'campaign:write',
      summary: 'Create a campaign (draft)',
      tags: ['campaigns'],
      body: CampaignInput,
      response: { 201: CampaignOut },
      handler: async (req, reply) => {
        const row = await createCampaign(s.db, req.body, { actor: actor(req), correlationId: req.id, defaultTimezone: s.config.api.defaultTimezone });
        const counts = (await countsByState(s.db, [row.id])).get(row.id)!;
        return reply.code(201).header('location', `/api/campaigns/${row.id}`).send(presentCampaign(row, counts, req.principal, matrix));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/campaigns',
      access: 'campaign:read',
      summary: 'List campaigns with contact counts per state',
      description: 'Newest first. Filters: `status` (comma-separated), `q` (name contains), `created_from`/`created_to` (ISO 8601).',
      tags: ['campaigns'],
      query: CampaignListQuery,
      response: { 200: CampaignList },
      handler: async (req) => {
        const { rows, counts, total } = await listCampaigns(s.db, req.query);
        return {
          items: rows.map((r) => presentCampaign(r, counts.get(r.id)!, req.principal, matrix)),
          page: req.query.page,
          page_size: req.query.page_size,
          total,
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/campaigns/:id',
      access: 'campaign:read',
      summary: 'Read a campaign',
      tags: ['campaigns'],
      params: IdParams,
      response: { 200: CampaignOut },
      handler: async (req) => {
        const { row, counts } = await getCampaign(s.db, req.params.id);
        return presentCampaign(row, counts, req.principal, matrix);
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/campaigns/:id',
      access: 'campaign:write',
      summary: 'Edit a campaign',
      description: 'Partial update: only the fields sent change. Which fields are editable depends on the status (see `editable_fields`); a locked field gives 409 `campaign.field_locked`.',
      tags: ['campaigns'],
      params: IdParams,
      body: CampaignUpdate,
      response: { 200: CampaignOut },
      handler: async (req) => {
        const row = await updateCampaign(s.db, req.params.id, req.body, { actor: actor(req), correlationId: req.id });
        const counts = (await countsByState(s.db, [row.id])).get(row.id)!;
        return presentCampaign(row, counts, req.principal, matrix);
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/campaigns/:id',
      access: 'campaign:write',
      summary: 'Cancel a campaign (soft delete)',
      tags: ['campaigns'],
      params: IdParams,
      response: { 200: CampaignOut },
      handler: async (req) => {
        const row = await changeCampaignStatus(s.db, req.params.id, 'cancel', { actor: actor(req), correlationId: req.id });
        const counts = (await countsByState(s.db, [row.id])).get(row.id)!;
        return presentCampaign(row, counts, req.principal, matrix);
      },
    }),
    statusRoute('activate', 'Activate: validate and start calling (or wait for the scheduled start)', 'Returns 422 `campaign.activation_invalid` listing every problem with its field.'),
    statusRoute('pause', 'Pause: no new calls; calls in progress finish'),
    statusRoute('resume', 'Resume a paused campaign'),
    statusRoute('complete', 'Complete: stop for good, keep results'),
    statusRoute('cancel', 'Cancel (same as DELETE)'),
  ];
}
