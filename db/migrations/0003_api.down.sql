-- 0003_api down. Idempotent.
DROP TABLE IF EXISTS audit_log;
