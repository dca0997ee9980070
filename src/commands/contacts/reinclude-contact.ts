/**
 * reincludeContact: the deliberate, one-contact way back from `excluded` to
 * `pending` after an exclusion entry was removed (removal never re-includes
 * anyone by itself). Refused while the number is still on the exclusion list
 * or the contact is flagged do_not_call, and for contacts in other states.
 */
import type { Kysely, Selectable } from 'kysely';
import type { ContactsTable, DB } from '../../db/schema/index.js';
import { DomainError, notFound } from '../../domain/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function reincludeContact(db: Kysely<DB>, contactId: string): Promise<Selectable<ContactsTable>> {
  if (!UUID.test(contactId)) throw notFound('contact');
  return db.transaction().execute(async (trx) => {
    const contact = await trx.selectFrom('contacts').selectAll().where('id', '=', contactId).forUpdate().executeTakeFirst();
    if (!contact) throw notFound('contact');
    if (contact.state !== 'excluded') {
      throw new DomainError('contact.not_excluded', `the contact is ${contact.state}, not excluded`, 'conflict', { state: contact.state });
    }
    if (contact.do_not_call) {
      throw new DomainError('contact.do_not_call', 'the contact was imported with do_not_call; re-import it without the flag instead', 'conflict');
    }
    const listed = await trx.selectFrom('exclusion_list_entries').select('id').where('phone_number', '=', contact.phone_number).executeTakeFirst();
    if (listed) {
      throw new DomainError('contact.still_excluded', 'the number is still on the exclusion list; remove the entry first', 'conflict', { exclusion_id: listed.id });
    }
    return trx.updateTable('contacts').set({ state: 'pending' }).where('id', '=', contactId).returningAll().executeTakeFirstOrThrow();
  });
}
