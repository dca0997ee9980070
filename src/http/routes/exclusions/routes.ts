/** Exclusion (do-not-call) list routes: add, import, list, remove (admin, audited), error download. */
import { Readable } from 'node:stream';
import { recordAudit } from '../../../commands/audit.js';
import { getImport, importErrorsCsv } from '../../../commands/contacts/import-errors.js';
import { addExclusion, importExclusions, listExclusions, removeExclusion } from '../../../commands/exclusions/exclusions.js';
import { can } from '../../../domain/auth/permissions.js';
import type { ApiServices } from '../../api.js';
import { presentExclusion, presentReport, presentStoredImport } from '../../presenters/contact.js';
import { defineRoute, principalOf, type RouteDef } from '../../route.js';
import { ImportReportOut, StoredImportOut } from '../contacts/schema.js';
import { csvOptions, withUploadedFile } from '../contacts/upload.js';
import { ExclusionAdded, ExclusionImportParams, ExclusionImportQuery, ExclusionInput, ExclusionList, ExclusionListQuery, ExclusionOut, ExclusionParams } from './schema.js';

export function exclusionRoutes(s: ApiServices): RouteDef[] {
  const maxBytes = s.config.imports.maxBytes;
  const showNumbers = (role: Parameters<typeof can>[1]) => can(s.config.auth.matrix, role, 'contacts:read_pii');
  return [
    defineRoute({
      method: 'POST',
      url: '/api/exclusions',
      access: 'exclusions:write',
      summary: 'Add one number to the do-not-call list',
      description: 'Normalized like contacts (national numbers read in `region`, default IT). Every pending or not-reached contact with this number, in every campaign, becomes `excluded` at once. 201 when added, 200 when it was already listed.',
      tags: ['exclusions'],
      body: ExclusionInput,
      response: { 200: ExclusionAdded, 201: ExclusionAdded },
      handler: async (req, reply) => {
        const principal = principalOf(req);
        const r = await addExclusion(s.db, { phoneNumber: req.body.phone_number, reason: req.body.reason ?? null, source: 'api', ...(req.body.region ? { region: req.body.region } : {}) });
        if (r.created) {
          await recordAudit(s.db, {
            actor: { userId: principal.userId, role: principal.role },
            action: 'exclusion.add',
            target: { type: 'exclusion', id: r.entry.id },
            details: { source: r.entry.source, contacts_excluded: r.contactsExcluded },
            correlationId: req.id,
          });
        }
        return reply.code(r.created ? 201 : 200).send({ entry: presentExclusion(r.entry, showNumbers(principal.role)), created: r.created, contacts_excluded: r.contactsExcluded });
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/exclusions/import',
      access: 'exclusions:write',
      summary: 'Import a do-not-call list (multipart CSV, streamed; all rows or none)',
      description:
        'Columns: `phone_number` (required), `reason`. Query: `list_name` and `list_date` record where the list came from and how old it is; `reason` is the default reason. ' +
        'Report: `accepted` = new entries, `duplicates` = already listed or repeated, `excluded` = contacts newly excluded in any campaign.',
      tags: ['exclusions'],
      query: ExclusionImportQuery,
      response: { 200: ImportReportOut },
      rateLimit: { max: 10, timeWindow: '1 minute' },
      handler: async (req) => {
        const principal = principalOf(req);
        const q = req.query;
        const report = await withUploadedFile(req, maxBytes, (file) =>
          importExclusions(s.db, {
            source: file.file,
            fileName: file.filename || null,
            reason: q.reason ?? null,
            listName: q.list_name ?? null,
            listDate: q.list_date ?? null,
            ...(q.region ? { region: q.region } : {}),
            maxBytes,
            userId: principal.userId,
            ...csvOptions(q),
          }),
        );
        await recordAudit(s.db, {
          actor: { userId: principal.userId, role: principal.role },
          action: 'exclusion.import',
          target: { type: 'import', id: report.import_id },
          details: { list_name: q.list_name ?? null, list_date: q.list_date ?? null, accepted: report.accepted, excluded: report.excluded },
          correlationId: req.id,
        });
        return presentReport(report, null);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/exclusions',
      access: 'exclusions:read',
      summary: 'A page of the do-not-call list, newest first',
      description: '`search`: trailing digits of the number. Numbers are masked without the contacts:read_pii permission.',
      tags: ['exclusions'],
      query: ExclusionListQuery,
      response: { 200: ExclusionList },
      handler: async (req) => {
        const principal = principalOf(req);
        const q = req.query;
        const page = await listExclusions(s.db, { ...(q.search ? { search: q.search } : {}), ...(q.source ? { source: q.source } : {}), page: q.page, pageSize: q.page_size });
        return { ...page, items: page.items.map((e) => presentExclusion(e, showNumbers(principal.role))) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/exclusions/:id',
      access: 'exclusions:delete',
      summary: 'Remove an entry (admin; audited)',
      description: 'Contacts it excluded stay excluded: re-including one is a separate, deliberate admin action (docs/compliance.md).',
      tags: ['exclusions'],
      params: ExclusionParams,
      response: { 200: ExclusionOut },
      handler: async (req) => {
        const principal = principalOf(req);
        const removed = await s.db.transaction().execute(async (trx) => {
          const entry = await removeExclusion(trx, req.params.id);
          await recordAudit(trx, {
            actor: { userId: principal.userId, role: principal.role },
            action: 'exclusion.remove',
            target: { type: 'exclusion', id: entry.id },
            // No phone number in the audit log: the entry's id, source and provenance only.
            before: { source: entry.source, reason: entry.reason, list_name: entry.list_name, list_date: entry.list_date, created_at: entry.created_at.toISOString() },
            correlationId: req.id,
          });
          return entry;
        });
        return presentExclusion(removed, showNumbers(principal.role));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/exclusions/imports/:importId',
      access: 'exclusions:read',
      summary: 'The stored report of one exclusion-list import',
      tags: ['exclusions'],
      params: ExclusionImportParams,
      response: { 200: StoredImportOut },
      handler: async (req) => presentStoredImport(await getImport(s.db, req.params.importId, { kind: 'exclusions' })),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/exclusions/imports/:importId/errors.csv',
      access: 'exclusions:read',
      summary: 'Every rejected field of one exclusion-list import, as CSV',
      tags: ['exclusions'],
      params: ExclusionImportParams,
      handler: async (req, reply) => {
        const imp = await getImport(s.db, req.params.importId, { kind: 'exclusions' });
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="import-${imp.id}-errors.csv"`)
          .send(Readable.from(importErrorsCsv(s.db, imp.id)));
      },
    }),
  ];
}
