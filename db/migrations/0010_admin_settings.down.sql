-- 0010_admin_settings down. Idempotent.
DROP INDEX IF EXISTS audit_log_action_prefix_idx;
DROP INDEX IF EXISTS audit_log_actor_time_idx;
DROP INDEX IF EXISTS users_role_idx;
DROP TABLE IF EXISTS app_settings;
