-- Demo data seeded before the demo campaign called around the clock: bring the
-- sample campaign to the demo settings of 0001_demo.sql. Each change applies
-- only while the field still holds its old seeded value, so edits made since
-- are kept. Idempotent.
UPDATE campaigns SET allowed_call_start_local = '00:00', allowed_call_end_local = '23:59:59', allowed_weekdays = '{1,2,3,4,5,6,7}'
  WHERE id = 'c0000000-0000-4000-8000-000000000001'
    AND allowed_call_start_local = '09:00' AND allowed_call_end_local = '20:00' AND allowed_weekdays = '{1,2,3,4,5,6}';
UPDATE campaigns SET retry_interval_minutes = 2
  WHERE id = 'c0000000-0000-4000-8000-000000000001' AND retry_interval_minutes = 120;
UPDATE campaigns SET organization_name = 'Demo Bank'
  WHERE id IN ('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000003')
    AND organization_name = '';
UPDATE campaigns SET description = 'Three questions for customers who visited a branch in the last month. DEMO: calls the built-in simulator around the clock, every day, and retries after 2 minutes, so there is always something to watch; a real campaign calls only in permitted hours.'
  WHERE id = 'c0000000-0000-4000-8000-000000000001'
    AND description = 'Three questions for customers who visited a branch in the last month.';
