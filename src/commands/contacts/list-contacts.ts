/**
 * listContacts: one page of a campaign's contacts for the console's table
 * (`GET /api/campaigns/{id}/contacts`). Every filter and order is backed by
 * an index on (campaign_id, …): state → contacts_campaign_state_idx, external
 * id → contacts_campaign_external_id_idx (prefix match), trailing digits →
 * contacts_campaign_phone_reversed_idx, default order →
 * contacts_campaign_created_idx.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { CallOutcome, ContactState, ContactsTable, DB } from '../../db/schema/index.js';
import { ValidationError, type FieldProblem } from '../../domain/errors.js';
import { maskPhone } from '../../observability/redact.js';

export const CONTACT_SORTS = ['created_at', 'phone_number', 'external_contact_id', 'state', 'attempts_count', 'last_attempt_at'] as const;
export type ContactSort = (typeof CONTACT_SORTS)[number];

export interface ListContactsQuery {
  readonly state?: ContactState;
  readonly lastOutcome?: CallOutcome;
  /** An external id (prefix), or the trailing digits of the number (at least 3). */
  readonly search?: string;
  readonly sort?: ContactSort;
  readonly order?: 'asc' | 'desc';
  readonly page?: number;
  readonly pageSize?: number;
  /** Viewers: numbers masked as `+39347*****67`, emails hidden. */
  readonly maskPersonalData?: boolean;
}

export interface ContactListItem {
  readonly id: string;
  readonly external_contact_id: string | null;
  readonly phone_number: string;
  readonly email: string | null;
  readonly preferred_language: string;
  readonly has_prior_consent: boolean;
  readonly do_not_call: boolean;
  readonly state: ContactState;
  readonly attempts_count: number;
  readonly last_attempt_at: Date | null;
  readonly last_outcome: CallOutcome | null;
  readonly timezone: string | null;
  readonly created_at: Date;
}

export interface ContactPage {
  readonly items: ContactListItem[];
  readonly page: number;
  readonly page_size: number;
  readonly total: number;
}

export const MAX_PAGE_SIZE = 200;

function present(c: Selectable<ContactsTable>, mask: boolean): ContactListItem {
  return {
    id: c.id,
    external_contact_id: c.external_contact_id,
    phone_number: mask ? maskPhone(c.phone_number) : c.phone_number,
    email: mask ? null : c.email,
    preferred_language: c.preferred_language,
    has_prior_consent: c.has_prior_consent,
    do_not_call: c.do_not_call,
    state: c.state,
    attempts_count: c.attempts_count,
    last_attempt_at: c.last_attempt_at,
    last_outcome: c.last_outcome,
    timezone: c.timezone,
    created_at: c.created_at,
  };
}

/** Escapes LIKE wildcards. */
const likePrefix = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listContacts(db: Kysely<DB>, campaignId: string, query: ListContactsQuery = {}): Promise<ContactPage> {
  const problems: FieldProblem[] = [];
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 50;
  if (!Number.isInteger(page) || page < 1) problems.push({ field: 'page', code: 'invalid', message: 'must be a whole number from 1' });
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    problems.push({ field: 'page_size', code: 'invalid', message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` });
  }
  const search = query.search?.trim() ?? '';
  if (search.length > 200) problems.push({ field: 'search', code: 'too_long', message: 'at most 200 characters' });
  if (problems.length > 0) throw new ValidationError('contacts.invalid_query', 'invalid contact query', problems);

  let q = db.selectFrom('contacts').where('campaign_id', '=', campaignId);
  if (query.state) q = q.where('state', '=', query.state);
  if (query.lastOutcome) q = q.where('last_outcome', '=', query.lastOutcome);
  if (search !== '') {
    const digits = search.replace(/[\s().+-]/g, '');
    const reversedDigits = /^\d{3,15}$/.test(digits) ? [...digits].reverse().join('') : undefined;
    q = q.where((eb) =>
      eb.or([
        eb('external_contact_id', 'like', likePrefix(search)),
        ...(reversedDigits ? [eb(sql<string>`reverse(phone_number)`, 'like', `${reversedDigits}%`)] : []),
      ]),
    );
  }
  const sort = query.sort ?? 'created_at';
  const order = query.order ?? (sort === 'created_at' ? 'desc' : 'asc');
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy(sort, (ob) => (order === 'asc' ? ob.asc() : ob.desc()).nullsLast())
      .orderBy('id', order)
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const mask = query.maskPersonalData === true;
  return { items: rows.map((r) => present(r, mask)), page, page_size: pageSize, total: Number(count.n) };
}
