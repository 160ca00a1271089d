-- Sessions older than the cookie's lifetime are dead; this index lets the occasional prune find them
-- without reading the whole table (accounts.service.open_session).
CREATE INDEX IF NOT EXISTS ix_sessions_created ON sessions (created_at);
