/**
 * Reporting routes: statistics (stats:read), call detail (calls:read: admin
 * and campaign_manager by default), CSV export and export jobs
 * (contacts:export: admin and campaign_manager by default), and the signed
 * download link (public: the signature is the credential).
 */
import { getCallDetail, listContactAttempts, type AttemptSummary, type CallDetail } from '../../../commands/reporting/call-detail.js';
import {
  exportDownloadLink, getExportJob, openExportDownload, startDirectExport, startExportJob, type ExportJob,
} from '../../../commands/reporting/export-jobs.js';
import { countExportRows } from '../../../commands/reporting/export.js';
import type { ApiServices } from '../../api.js';
import { defineRoute, principalOf, type RouteDef } from '../../route.js';
import {
  AttemptListOut, CallDetailOut, CallParams, CampaignStatsOut, DownloadQuery, ExportJobInput, ExportJobOut, ExportQuery, IdParams, StatsOverviewOut,
} from './schema.js';
import { statsStreamRoute } from './stats-stream.js';

/** camelCase keys → snake_case, deeply; keys starting upper-case (AAPOR's RR1, NC …) are kept. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[/^[a-z]/.test(k) ? k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() : k] = snakeKeys(v);
    return out;
  }
  return value;
}

const presentAttempt = (a: AttemptSummary) => snakeKeys(a);
const presentCall = (c: CallDetail) => snakeKeys(c);

function presentJob(job: ExportJob, s: ApiServices) {
  const now = s.reporting.clock.now();
  const downloadable = job.status === 'done' && job.blob_key && job.expires_at && job.expires_at > now;
  const link = downloadable ? exportDownloadLink(job, s.reporting.export.linkSecret, s.reporting.export.linkTtlMs, now) : null;
  return {
    id: job.id,
    campaign_id: job.campaign_id,
    status: job.status,
    row_count: job.row_count,
    byte_size: job.byte_size,
    error: job.status === 'failed' ? 'The export failed; start a new one.' : null,
    created_at: job.created_at.toISOString(),
    finished_at: job.finished_at?.toISOString() ?? null,
    expires_at: job.expires_at?.toISOString() ?? null,
    download_url: link?.url ?? null,
    download_url_expires_at: link?.expiresAt.toISOString() ?? null,
  };
}

const actorOf = (req: Parameters<typeof principalOf>[0]) => {
  const p = principalOf(req);
  return { userId: p.userId, role: p.role };
};

export function reportingRoutes(s: ApiServices): RouteDef[] {
  const r = s.reporting;
  return [
    defineRoute({
      method: 'GET',
      url: '/api/campaigns/:id/stats',
      access: 'stats:read',
      summary: 'Campaign statistics',
      description: 'Totals, rates, AAPOR RR1/RR2/COOP1/REF1/CON1, calls per hour/day in the campaign time zone, durations, answer distributions, funnel. At most STATS_CACHE_TTL_SECONDS stale (see `generated_at`).',
      tags: ['reporting'],
      params: IdParams,
      response: { 200: CampaignStatsOut },
      handler: async (req) => snakeKeys(await r.stats.campaignStats(s.db, req.params.id)),
    }),
    statsStreamRoute(s),
    defineRoute({
      method: 'GET',
      url: '/api/stats/overview',
      access: 'stats:read',
      summary: 'Key counts of every campaign (for the campaign list)',
      tags: ['reporting'],
      response: { 200: StatsOverviewOut },
      handler: async () => ({ items: snakeKeys(await r.stats.overview(s.db)) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/calls/:call_id',
      access: 'calls:read',
      summary: 'Call detail: outcome, timestamps, consent, turns, redacted transcript, recording link',
      tags: ['reporting'],
      params: CallParams,
      response: { 200: CallDetailOut },
      handler: async (req) => presentCall(await getCallDetail(s.db, req.params.call_id, { now: r.clock.now() })),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/contacts/:id/attempts',
      access: 'calls:read',
      summary: "A contact's call attempts, in order",
      tags: ['reporting'],
      params: IdParams,
      response: { 200: AttemptListOut },
      handler: async (req) => ({ items: (await listContactAttempts(s.db, req.params.id)).map(presentAttempt) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/campaigns/:id/export',
      access: 'contacts:export',
      summary: 'Export the campaign as CSV',
      description: 'Streams the CSV for campaigns up to EXPORT_SYNC_MAX_ROWS contacts. Larger campaigns (or `async=true`) start an export job instead: 202 with `Location: /api/exports/{id}`.',
      tags: ['reporting'],
      params: IdParams,
      query: ExportQuery,
      response: { 202: ExportJobOut },
      handler: async (req, reply) => {
        const actor = actorOf(req);
        const contacts = await countExportRows(s.db, req.params.id);
        const opts = { ...(req.query.delimiter ? { delimiter: req.query.delimiter } : {}), ...(req.query.bom !== undefined ? { bom: req.query.bom } : {}) };
        if (req.query.async || contacts > r.export.syncMaxRows) {
          const job = await startExportJob(s.db, { campaignId: req.params.id, requestedByUserId: actor.userId, ...opts });
          return reply.code(202).header('location', `/api/exports/${job.id}`).send(presentJob(job, s));
        }
        const out = await startDirectExport(s.db, {
          recordAudit: (e) => r.recordAudit({ ...e, actorRole: actor.role }),
          log: s.log,
        }, { campaignId: req.params.id, actorUserId: actor.userId, ...opts });
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${out.filename}"`)
          .header('cache-control', 'no-store')
          .send(out.body);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/campaigns/:id/exports',
      access: 'contacts:export',
      summary: 'Start a CSV export job',
      tags: ['reporting'],
      params: IdParams,
      body: ExportJobInput,
      response: { 202: ExportJobOut },
      handler: async (req, reply) => {
        const actor = actorOf(req);
        const job = await startExportJob(s.db, { campaignId: req.params.id, requestedByUserId: actor.userId, ...req.body });
        return reply.code(202).header('location', `/api/exports/${job.id}`).send(presentJob(job, s));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/exports/:id',
      access: 'contacts:export',
      summary: 'Export job status (with a signed download link once done)',
      tags: ['reporting'],
      params: IdParams,
      response: { 200: ExportJobOut },
      handler: async (req) => presentJob(await getExportJob(s.db, req.params.id), s),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/exports/:id/download',
      access: 'public',
      rateLimit: { max: 60, timeWindow: '1 minute' },
      summary: 'Download an export through its signed, expiring link',
      description: 'The `expires` and `signature` parameters come from `download_url`; an altered link is 403, an expired one 404.',
      tags: ['reporting'],
      params: IdParams,
      query: DownloadQuery,
      handler: async (req, reply) => {
        const dl = await openExportDownload(s.db, r.exportDeps, r.export.linkSecret, req.params.id, req.query);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${dl.filename}"`)
          .header('cache-control', 'no-store')
          .send(dl.body);
      },
    }),
  ];
}
