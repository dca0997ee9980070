-- Demo email templates: mark each English/Italian pair as translations of one
-- another, so a contact who prefers the other language gets their own. Idempotent.
UPDATE email_templates SET translation_key = 'demo-completed'
  WHERE id IN ('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002') AND translation_key IS NULL;
UPDATE email_templates SET translation_key = 'demo-refused'
  WHERE id IN ('b0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000004') AND translation_key IS NULL;
UPDATE email_templates SET translation_key = 'demo-not-reached'
  WHERE id IN ('b0000000-0000-4000-8000-000000000005', 'b0000000-0000-4000-8000-000000000006') AND translation_key IS NULL;
