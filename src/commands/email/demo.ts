/**
 * Demo follow-up emails for `voicesurvey simulate` and the embedded demo:
 * makes sure the six demo templates (completed / refused / not reached, English
 * and Italian, translations of each other) exist, and points a campaign at the
 * ones in its language. Idempotent; never overwrites an edited template.
 */
import type { Kysely } from 'kysely';
import type { DB, EmailTemplateType, Language } from '../../db/schema/index.js';

type DemoTemplate = { id: string; type: EmailTemplateType; locale: Language; name: string; subject: string; text: string };

const body = (t: string) => ({
  body_text: `${t}\n\n{{organization_name}}`,
  body_html: `${t.split('\n\n').map((p) => `<p>${p.replace('{{campaign_name}}', '<strong>{{campaign_name}}</strong>')}</p>`).join('')}<p>{{organization_name}}</p>`,
});

/** The same ids as db/seeds/0001_demo.sql. */
export const DEMO_TEMPLATES: readonly DemoTemplate[] = [
  { id: 'b0000000-0000-4000-8000-000000000001', type: 'completed', locale: 'en', name: 'Thank you (EN)', subject: 'Thank you for your feedback, {{organization_name}}', text: 'Hello,\n\nthank you for answering our short survey for {{campaign_name}}. Your answers help us improve.' },
  { id: 'b0000000-0000-4000-8000-000000000002', type: 'completed', locale: 'it', name: 'Grazie (IT)', subject: 'Grazie per la sua opinione, {{organization_name}}', text: 'Buongiorno,\n\ngrazie per aver risposto al nostro breve sondaggio {{campaign_name}}. Le sue risposte ci aiutano a migliorare.' },
  { id: 'b0000000-0000-4000-8000-000000000003', type: 'refused', locale: 'en', name: 'Sorry to bother you (EN)', subject: 'We will not call you again for this survey', text: 'Hello,\n\nwe respect your decision not to take part in {{campaign_name}}. We will not call you again about it.' },
  { id: 'b0000000-0000-4000-8000-000000000004', type: 'refused', locale: 'it', name: 'Ci scusiamo per il disturbo (IT)', subject: 'Non la richiameremo per questo sondaggio', text: 'Buongiorno,\n\nrispettiamo la sua decisione di non partecipare a {{campaign_name}}. Non la richiameremo per questo motivo.' },
  { id: 'b0000000-0000-4000-8000-000000000005', type: 'not_reached', locale: 'en', name: 'We tried to reach you (EN)', subject: 'We tried to call you', text: 'Hello,\n\nwe tried to reach you by phone for a short survey, {{campaign_name}}, but could not get through. No action is needed.' },
  { id: 'b0000000-0000-4000-8000-000000000006', type: 'not_reached', locale: 'it', name: 'Abbiamo provato a contattarla (IT)', subject: 'Abbiamo provato a chiamarla', text: 'Buongiorno,\n\nabbiamo provato a contattarla per un breve sondaggio, {{campaign_name}}, senza riuscirci. Non deve fare nulla.' },
];

const KEY: Record<EmailTemplateType, string> = { completed: 'demo-completed', refused: 'demo-refused', not_reached: 'demo-not-reached' };

/** Inserts the demo templates that are missing. */
export async function seedDemoEmailTemplates(db: Kysely<DB>): Promise<void> {
  await db.insertInto('email_templates')
    .values(DEMO_TEMPLATES.map((t) => ({ id: t.id, name: t.name, type: t.type, locale: t.locale, subject: t.subject, translation_key: KEY[t.type], ...body(t.text) })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/**
 * Seeds the demo templates and sets the campaign's three outcome templates to
 * the demo ones in the campaign's language (contacts preferring the other
 * language get the translation).
 */
export async function useDemoEmailTemplates(db: Kysely<DB>, campaignId: string): Promise<void> {
  await seedDemoEmailTemplates(db);
  const campaign = await db.selectFrom('campaigns').select('language').where('id', '=', campaignId).executeTakeFirstOrThrow();
  const pick = (type: EmailTemplateType) => DEMO_TEMPLATES.find((t) => t.type === type && t.locale === campaign.language)!.id;
  await db.updateTable('campaigns')
    .set({ email_completed_template_id: pick('completed'), email_refused_template_id: pick('refused'), email_not_reached_template_id: pick('not_reached') })
    .where('id', '=', campaignId)
    .execute();
}
