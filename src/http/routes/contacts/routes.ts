/** Contact routes: upload a CSV, list a campaign's contacts, read an import and download its errors. */
import { Readable } from 'node:stream';
import { importContacts } from '../../../commands/contacts/import-contacts.js';
import { getImport, importErrorsCsv } from '../../../commands/contacts/import-errors.js';
import { listContacts } from '../../../commands/contacts/list-contacts.js';
import { can } from '../../../domain/auth/permissions.js';
import type { ApiServices } from '../../api.js';
import { presentContact, presentReport, presentStoredImport } from '../../presenters/contact.js';
import { defineRoute, principalOf, type RouteDef } from '../../route.js';
import { CampaignParams, ContactList, ContactListQuery, ContactUploadQuery, ImportParams, ImportReportOut, StoredImportOut } from './schema.js';
import { csvOptions, withUploadedFile } from './upload.js';

export function contactRoutes(s: ApiServices): RouteDef[] {
  const maxBytes = s.config.imports.maxBytes;
  return [
    defineRoute({
      method: 'POST',
      url: '/api/campaigns/:id/contacts/upload',
      access: 'contacts:write',
      summary: 'Upload a contacts CSV (multipart, streamed; all rows or none)',
      description:
        'One file field. Columns: `phone_number` (required), `external_contact_id`, `email`, `language`, `has_prior_consent`, `do_not_call`, `timezone`. ' +
        'Delimiter and encoding are detected unless given. Allowed while the campaign is draft, scheduled, paused or running (else 409). ' +
        `A file that is not CSV is a 422 \`csv.*\` and stores nothing; a file over the size limit is a 413 \`csv.too_large\` with \`details.limit_bytes\`.`,
      tags: ['contacts'],
      params: CampaignParams,
      query: ContactUploadQuery,
      response: { 200: ImportReportOut },
      rateLimit: { max: 30, timeWindow: '1 minute' },
      handler: async (req) => {
        const principal = principalOf(req);
        const report = await withUploadedFile(req, maxBytes, (file) =>
          importContacts(s.db, {
            campaignId: req.params.id,
            source: file.file,
            fileName: file.filename || null,
            maxBytes,
            userId: principal.userId,
            ...csvOptions(req.query),
          }),
        );
        req.log.info({ campaign_id: req.params.id, import_id: report.import_id, rows: report.total_rows, accepted: report.accepted }, 'contacts imported');
        return presentReport(report, req.params.id);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/campaigns/:id/contacts',
      access: 'contacts:read',
      summary: "A page of a campaign's contacts",
      description:
        'Filters: `state`, `last_outcome`, `search` (external id prefix, or at least 3 trailing digits of the number). ' +
        'Sorted by `sort` (default newest first). Numbers are masked and emails hidden without the contacts:read_pii permission.',
      tags: ['contacts'],
      params: CampaignParams,
      query: ContactListQuery,
      response: { 200: ContactList },
      handler: async (req) => {
        const principal = principalOf(req);
        const q = req.query;
        const page = await listContacts(s.db, req.params.id, {
          ...(q.state ? { state: q.state } : {}),
          ...(q.last_outcome ? { lastOutcome: q.last_outcome } : {}),
          ...(q.search ? { search: q.search } : {}),
          sort: q.sort,
          ...(q.order ? { order: q.order } : {}),
          page: q.page,
          pageSize: q.page_size,
          maskPersonalData: !can(s.config.auth.matrix, principal.role, 'contacts:read_pii'),
        });
        return { ...page, items: page.items.map(presentContact) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/campaigns/:id/contacts/imports/:importId',
      access: 'contacts:read',
      summary: 'The stored report of one contacts upload',
      tags: ['contacts'],
      params: ImportParams,
      response: { 200: StoredImportOut },
      handler: async (req) => presentStoredImport(await getImport(s.db, req.params.importId, { kind: 'contacts', campaignId: req.params.id })),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/campaigns/:id/contacts/imports/:importId/errors.csv',
      access: 'contacts:read',
      summary: 'Every rejected field of one upload, as CSV (line, field, code, message)',
      tags: ['contacts'],
      params: ImportParams,
      handler: async (req, reply) => {
        const imp = await getImport(s.db, req.params.importId, { kind: 'contacts', campaignId: req.params.id });
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="import-${imp.id}-errors.csv"`)
          .send(Readable.from(importErrorsCsv(s.db, imp.id)));
      },
    }),
  ];
}
