-- 0010_admin_settings down. Idempotent.
DROP INDEX IF EXISTS users_role_idx;
DROP TABLE IF EXISTS app_settings;
