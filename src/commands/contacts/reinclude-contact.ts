/**
 * reincludeContact: the deliberate, one-contact way back from `excluded` to
 * `pending` after an exclusion entry was removed (removal never re-includes
 * anyone by itself). Refused while the number is still on the exclusion list
 * or the contact is flagged do_not_call, when the contact has no attempt left
 * under its campaign's current limit, and for contacts in other states.
 */
import type { Kysely, Selectable } from 'kysely';
import type { ContactsTable, DB } from '../../db/schema/index.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { lockExclusionNumber } from '../exclusions/number-lock.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function reincludeContact(db: Kysely<DB>, contactId: string): Promise<Selectable<ContactsTable>> {
  if (!UUID.test(contactId)) throw notFound('contact');
  return db.transaction().execute(async (trx) => {
    // The number's lock first, as every writer that excludes by number takes it
    // (src/commands/exclusions/number-lock.ts): an entry added meanwhile is
    // either seen below or added after this commits (and then excludes the
    // contact again) — never missed in between.
    const found = await trx.selectFrom('contacts').select('phone_number').where('id', '=', contactId).executeTakeFirst();
    if (!found) throw notFound('contact');
    await lockExclusionNumber(trx, found.phone_number);
    const contact = await trx
      .selectFrom('contacts')
      .innerJoin('campaigns', 'campaigns.id', 'contacts.campaign_id')
      .selectAll('contacts')
      .select('campaigns.max_attempts')
      .where('contacts.id', '=', contactId)
      .forUpdate('contacts')
      .executeTakeFirstOrThrow();
    if (contact.state !== 'excluded') {
      throw new DomainError('contact.not_excluded', `the contact is ${contact.state}, not excluded`, 'conflict', { state: contact.state });
    }
    if (contact.do_not_call) {
      throw new DomainError('contact.do_not_call', 'the contact was imported with do_not_call; re-import it without the flag instead', 'conflict');
    }
    if (contact.attempts_count >= contact.max_attempts) {
      throw new DomainError(
        'contact.no_attempts_left',
        `the contact has had ${contact.attempts_count} of the campaign's ${contact.max_attempts} attempts; raise the campaign's max_attempts first`,
        'conflict',
        { attempts: contact.attempts_count, max_attempts: contact.max_attempts },
      );
    }
    const listed = await trx.selectFrom('exclusion_list_entries').select('id').where('phone_number', '=', contact.phone_number).executeTakeFirst();
    if (listed) {
      throw new DomainError('contact.still_excluded', 'the number is still on the exclusion list; remove the entry first', 'conflict', { exclusion_id: listed.id });
    }
    return trx.updateTable('contacts').set({ state: 'pending' }).where('id', '=', contactId).returningAll().executeTakeFirstOrThrow();
  });
}
