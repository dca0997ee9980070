-- 0005_contacts_import: import reports with their full error lists, exclusion
-- list provenance (which list, of what date), and the indexes behind the
-- contact table's search. Idempotent: re-running it is a no-op.

DO $$ BEGIN CREATE TYPE import_kind AS ENUM ('contacts', 'exclusions');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

-- One row per successful upload (a failed upload writes nothing, this included).
CREATE TABLE IF NOT EXISTS contact_imports (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind                import_kind NOT NULL,
  -- Set for contact imports; null for exclusion-list imports.
  campaign_id         uuid REFERENCES campaigns (id) ON DELETE CASCADE,
  created_by_user_id  uuid REFERENCES users (id) ON DELETE SET NULL,
  file_name           text,
  -- Exclusion imports: the list's name and the date it was extracted.
  list_name           text,
  list_date           date,
  total_rows          integer NOT NULL DEFAULT 0,
  accepted            integer NOT NULL DEFAULT 0,
  rejected            integer NOT NULL DEFAULT 0,
  duplicates          integer NOT NULL DEFAULT 0,
  excluded            integer NOT NULL DEFAULT 0,
  errors_total        integer NOT NULL DEFAULT 0,
  unknown_columns     text[] NOT NULL DEFAULT '{}',
  created_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT contact_imports_campaign_kind CHECK ((kind = 'contacts') = (campaign_id IS NOT NULL)),
  CONSTRAINT contact_imports_counts_add_up CHECK (accepted + rejected + duplicates = total_rows)
);
CREATE INDEX IF NOT EXISTS contact_imports_campaign_id_idx ON contact_imports (campaign_id, created_at);
CREATE INDEX IF NOT EXISTS contact_imports_created_by_user_id_idx ON contact_imports (created_by_user_id);

-- Every rejected field of every rejected line (the downloadable error CSV).
-- Messages never contain the rejected value itself.
CREATE TABLE IF NOT EXISTS contact_import_errors (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  import_id   uuid NOT NULL REFERENCES contact_imports (id) ON DELETE CASCADE,
  line        integer NOT NULL,
  field       text NOT NULL,
  code        text NOT NULL,
  message     text NOT NULL
);
CREATE INDEX IF NOT EXISTS contact_import_errors_import_line_idx ON contact_import_errors (import_id, line);

-- Provenance of exclusion entries: the list they came from and its date, so a
-- campaign can tell how old its suppression data is.
ALTER TABLE exclusion_list_entries ADD COLUMN IF NOT EXISTS list_name text;
ALTER TABLE exclusion_list_entries ADD COLUMN IF NOT EXISTS list_date date;
ALTER TABLE exclusion_list_entries ADD COLUMN IF NOT EXISTS import_id uuid REFERENCES contact_imports (id) ON DELETE SET NULL;
CREATE INDEX IF NOT EXISTS exclusion_list_entries_import_id_idx ON exclusion_list_entries (import_id);
CREATE INDEX IF NOT EXISTS exclusion_list_entries_created_at_idx ON exclusion_list_entries (created_at, id);
CREATE INDEX IF NOT EXISTS exclusion_list_entries_phone_reversed_idx ON exclusion_list_entries (reverse(phone_number) text_pattern_ops);

-- Contact table: default order, search by external id, search by the last digits.
CREATE INDEX IF NOT EXISTS contacts_campaign_created_idx ON contacts (campaign_id, created_at, id);
CREATE INDEX IF NOT EXISTS contacts_campaign_external_id_idx ON contacts (campaign_id, external_contact_id text_pattern_ops);
CREATE INDEX IF NOT EXISTS contacts_campaign_phone_reversed_idx ON contacts (campaign_id, reverse(phone_number) text_pattern_ops);
