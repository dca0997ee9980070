-- Demo data: 20 records. Idempotent — fixed ids and ON CONFLICT DO NOTHING, so
-- running it again changes nothing (and never overwrites edits made since).
-- Phone numbers are fictitious; the built-in simulator answers them.

-- Users, one per role. The built-in development identity provider signs in as
-- these subjects.
INSERT INTO users (id, oidc_sub, email, name, role) VALUES
  ('a0000000-0000-4000-8000-000000000001', 'demo-admin',   'admin@demo.example.org',   'Ada Admin',     'admin'),
  ('a0000000-0000-4000-8000-000000000002', 'demo-manager', 'manager@demo.example.org', 'Marco Manager', 'campaign_manager'),
  ('a0000000-0000-4000-8000-000000000003', 'demo-viewer',  'viewer@demo.example.org',  'Vera Viewer',   'viewer')
ON CONFLICT DO NOTHING;

-- Follow-up email templates for each outcome, in English and Italian.
INSERT INTO email_templates (id, name, type, locale, subject, body_text, body_html) VALUES
  ('b0000000-0000-4000-8000-000000000001', 'Thank you (EN)', 'completed', 'en',
   'Thank you for your feedback, {{organization_name}}',
   E'Hello,\n\nthank you for answering our short survey for {{campaign_name}}. Your answers help us improve.\n\n{{organization_name}}',
   '<p>Hello,</p><p>thank you for answering our short survey for <strong>{{campaign_name}}</strong>. Your answers help us improve.</p><p>{{organization_name}}</p>'),
  ('b0000000-0000-4000-8000-000000000002', 'Grazie (IT)', 'completed', 'it',
   'Grazie per la sua opinione, {{organization_name}}',
   E'Buongiorno,\n\ngrazie per aver risposto al nostro breve sondaggio {{campaign_name}}. Le sue risposte ci aiutano a migliorare.\n\n{{organization_name}}',
   '<p>Buongiorno,</p><p>grazie per aver risposto al nostro breve sondaggio <strong>{{campaign_name}}</strong>. Le sue risposte ci aiutano a migliorare.</p><p>{{organization_name}}</p>'),
  ('b0000000-0000-4000-8000-000000000003', 'Sorry to bother you (EN)', 'refused', 'en',
   'We will not call you again for this survey',
   E'Hello,\n\nwe respect your decision not to take part in {{campaign_name}}. We will not call you again about it.\n\n{{organization_name}}',
   '<p>Hello,</p><p>we respect your decision not to take part in <strong>{{campaign_name}}</strong>. We will not call you again about it.</p><p>{{organization_name}}</p>'),
  ('b0000000-0000-4000-8000-000000000004', 'Ci scusiamo per il disturbo (IT)', 'refused', 'it',
   'Non la richiameremo per questo sondaggio',
   E'Buongiorno,\n\nrispettiamo la sua decisione di non partecipare a {{campaign_name}}. Non la richiameremo per questo motivo.\n\n{{organization_name}}',
   '<p>Buongiorno,</p><p>rispettiamo la sua decisione di non partecipare a <strong>{{campaign_name}}</strong>. Non la richiameremo per questo motivo.</p><p>{{organization_name}}</p>'),
  ('b0000000-0000-4000-8000-000000000005', 'We tried to reach you (EN)', 'not_reached', 'en',
   'We tried to call you',
   E'Hello,\n\nwe tried to reach you by phone for a short survey, {{campaign_name}}, but could not get through. No action is needed.\n\n{{organization_name}}',
   '<p>Hello,</p><p>we tried to reach you by phone for a short survey, <strong>{{campaign_name}}</strong>, but could not get through. No action is needed.</p><p>{{organization_name}}</p>'),
  ('b0000000-0000-4000-8000-000000000006', 'Abbiamo provato a contattarla (IT)', 'not_reached', 'it',
   'Abbiamo provato a chiamarla',
   E'Buongiorno,\n\nabbiamo provato a contattarla per un breve sondaggio, {{campaign_name}}, senza riuscirci. Non deve fare nulla.\n\n{{organization_name}}',
   '<p>Buongiorno,</p><p>abbiamo provato a contattarla per un breve sondaggio, <strong>{{campaign_name}}</strong>, senza riuscirci. Non deve fare nulla.</p><p>{{organization_name}}</p>')
ON CONFLICT DO NOTHING;

-- Campaigns in several statuses. The first is the realistic sample, and the one
-- `serve --demo` keeps calling (src/demo/): for the demo only, it calls around
-- the clock and retries quickly.
INSERT INTO campaigns (
  id, name, description, status, language, intro_script,
  question_1_text, question_1_type, question_2_text, question_2_type, question_3_text, question_3_type,
  max_attempts, retry_interval_minutes, allowed_call_start_local, allowed_call_end_local, allowed_weekdays, organization_name,
  email_completed_template_id, email_refused_template_id, email_not_reached_template_id, created_by_user_id
) VALUES
  ('c0000000-0000-4000-8000-000000000001', 'Post-visit satisfaction survey',
   'Three questions for customers who visited a branch in the last month. DEMO: calls the built-in simulator around the clock, every day, and retries after 2 minutes, so there is always something to watch; a real campaign calls only in permitted hours.', 'running', 'en',
   'Hello, this is an automated assistant calling on behalf of Demo Bank about your recent branch visit. The survey has three short questions and takes about two minutes.',
   'On a scale from 1 to 10, how satisfied were you with your visit?', 'scale',
   'How many minutes did you wait before being served?', 'numeric',
   'What is one thing we could do better?', 'free_text',
   -- DEMO ONLY: the whole day, every day (a real campaign keeps to permitted hours).
   3, 2, '00:00', '23:59:59', '{1,2,3,4,5,6,7}', 'Demo Bank',
   'b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000005',
   'a0000000-0000-4000-8000-000000000002'),
  ('c0000000-0000-4000-8000-000000000002', 'Servizio clienti — autunno 2026',
   'Bozza: sondaggio sul servizio clienti telefonico.', 'draft', 'it',
   'Buongiorno, sono un assistente automatico che chiama per conto di Demo Bank. Il sondaggio ha tre domande e dura circa due minuti.',
   'Da 1 a 10, quanto è soddisfatto del nostro servizio clienti?', 'scale',
   'Quante volte ci ha contattato negli ultimi tre mesi?', 'numeric',
   'Che cosa possiamo migliorare?', 'free_text',
   2, 60, '10:00', '19:00', '{1,2,3,4,5,6}', 'Demo Bank',
   'b0000000-0000-4000-8000-000000000002', NULL, NULL,
   'a0000000-0000-4000-8000-000000000002'),
  ('c0000000-0000-4000-8000-000000000003', 'Summer product feedback',
   'Closed campaign kept for reporting.', 'completed', 'en',
   'Hello, this is an automated assistant calling on behalf of Demo Bank about our new mobile app. It takes one minute.',
   'On a scale from 1 to 5, how easy is the app to use?', 'scale',
   'How many times a week do you use it?', 'numeric',
   'What feature would you add?', 'free_text',
   2, 240, '09:00', '18:00', '{1,2,3,4,5,6}', 'Demo Bank',
   NULL, NULL, NULL,
   'a0000000-0000-4000-8000-000000000001')
ON CONFLICT DO NOTHING;

-- The sample campaign's five contacts (fictitious numbers).
INSERT INTO contacts (id, campaign_id, external_contact_id, phone_number, email, preferred_language, has_prior_consent, do_not_call) VALUES
  ('d0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'CRM-1001', '+393470000001', 'giulia.rossi@example.org',  'it',   true, false),
  ('d0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', 'CRM-1002', '+393470000002', NULL,                        'it',   true, false),
  ('d0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000001', 'CRM-1003', '+447700900003', 'sam.taylor@example.org',    'en',   true, false),
  ('d0000000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000001', 'CRM-1004', '+393470000004', 'luca.bianchi@example.org',  'auto', true, false),
  ('d0000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000001', 'CRM-1005', '+393470000005', NULL,                        'auto', false, false)
ON CONFLICT DO NOTHING;

-- Two numbers that must never be called.
INSERT INTO exclusion_list_entries (id, phone_number, reason, source) VALUES
  ('e0000000-0000-4000-8000-000000000001', '+393479999991', 'Asked not to be called again', 'manual'),
  ('e0000000-0000-4000-8000-000000000002', '+393479999992', 'National opt-out register extract', 'import')
ON CONFLICT DO NOTHING;

-- The telephony provider: Twilio protocol (the built-in simulator in the demo).
INSERT INTO provider_configs (id, provider_type, provider_name, outbound_number, max_concurrent_calls, llm_provider, llm_model) VALUES
  ('f0000000-0000-4000-8000-000000000001', 'telephony_api', 'twilio', '+390200000000', 5, 'openai', 'gpt-4o-mini')
ON CONFLICT DO NOTHING;
