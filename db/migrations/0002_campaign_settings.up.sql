-- 0002_campaign_settings: what campaigns and contacts need beyond the seed model.
-- Idempotent: re-running it is a no-op.

-- IANA time zone the campaign's calling window and reports are read in.
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS timezone text NOT NULL DEFAULT 'Europe/Rome';
-- When set on activation, the campaign waits in `scheduled` until this time.
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS scheduled_start_at timestamptz;
-- Caller-facing organization name (used in disclosures and emails).
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS organization_name text NOT NULL DEFAULT '';
-- Bounds for `scale` questions (ignored for other types).
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS question_1_scale_min integer NOT NULL DEFAULT 1;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS question_1_scale_max integer NOT NULL DEFAULT 10;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS question_2_scale_min integer NOT NULL DEFAULT 1;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS question_2_scale_max integer NOT NULL DEFAULT 10;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS question_3_scale_min integer NOT NULL DEFAULT 1;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS question_3_scale_max integer NOT NULL DEFAULT 10;
-- Italian law requires prior consent for automated calls without a human operator.
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS require_prior_consent boolean NOT NULL DEFAULT true;
-- ISO weekdays (1 = Monday … 7 = Sunday) on which calls may be placed.
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS allowed_weekdays smallint[] NOT NULL DEFAULT '{1,2,3,4,5,6}';
-- Default region (ISO 3166 alpha-2) for normalizing national phone numbers on import.
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS phone_region text NOT NULL DEFAULT 'IT';

-- Contact's own IANA time zone, when imported.
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS timezone text;
-- Earliest time of the next attempt (a respondent asked to be called back later).
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS retry_not_before timestamptz;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'campaigns_scale_bounds_check') THEN
    ALTER TABLE campaigns ADD CONSTRAINT campaigns_scale_bounds_check CHECK (
      question_1_scale_min < question_1_scale_max
      AND question_2_scale_min < question_2_scale_max
      AND question_3_scale_min < question_3_scale_max);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'campaigns_allowed_weekdays_check') THEN
    ALTER TABLE campaigns ADD CONSTRAINT campaigns_allowed_weekdays_check CHECK (
      allowed_weekdays <@ '{1,2,3,4,5,6,7}'::smallint[]);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'campaigns_phone_region_check') THEN
    ALTER TABLE campaigns ADD CONSTRAINT campaigns_phone_region_check CHECK (phone_region ~ '^[A-Z]{2}$');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'campaigns_timezone_check') THEN
    ALTER TABLE campaigns ADD CONSTRAINT campaigns_timezone_check CHECK (timezone <> '');
  END IF;
END $$;
