/**
 * Factories: insert a valid row with sensible defaults; pass overrides for what
 * the test cares about. Unique values come from a counter, so rows never clash.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { CampaignsTable, ContactsTable, DB, EmailTemplatesTable, UsersTable } from '../../src/db/schema/index.js';

let seq = 0;
const next = () => ++seq + Math.floor(Math.random() * 1e6) * 1000;

export function uniquePhone(country = '+39347'): string {
  return `${country}${String(next()).padStart(7, '0').slice(-7)}`;
}

export async function createUser(db: Kysely<DB>, overrides: Partial<Insertable<UsersTable>> = {}): Promise<Selectable<UsersTable>> {
  const n = next();
  return db
    .insertInto('users')
    .values({ oidc_sub: `sub-${n}`, email: `user${n}@example.org`, name: `User ${n}`, role: 'campaign_manager', ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function createTemplate(
  db: Kysely<DB>,
  overrides: Partial<Insertable<EmailTemplatesTable>> = {},
): Promise<Selectable<EmailTemplatesTable>> {
  return db
    .insertInto('email_templates')
    .values({
      name: `Template ${next()}`,
      type: 'completed',
      locale: 'en',
      subject: 'Thank you',
      body_text: 'Thank you for answering {{campaign_name}}.',
      body_html: '<p>Thank you for answering {{campaign_name}}.</p>',
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function createCampaign(
  db: Kysely<DB>,
  overrides: Partial<Insertable<CampaignsTable>> = {},
): Promise<Selectable<CampaignsTable>> {
  return db
    .insertInto('campaigns')
    .values({
      name: `Campaign ${next()}`,
      intro_script: 'Hello, this is an automated assistant calling for Example Ltd. Three questions, two minutes.',
      question_1_text: 'From 1 to 10, how satisfied are you?',
      question_1_type: 'scale',
      question_2_text: 'How many times did you call us this year?',
      question_2_type: 'numeric',
      question_3_text: 'What should we improve?',
      question_3_type: 'free_text',
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function createContact(
  db: Kysely<DB>,
  campaignId: string,
  overrides: Partial<Insertable<ContactsTable>> = {},
): Promise<Selectable<ContactsTable>> {
  return db
    .insertInto('contacts')
    .values({ campaign_id: campaignId, phone_number: uniquePhone(), has_prior_consent: true, ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}
