-- Outbox: written in the same transaction as the inventory change it announces.
-- topic is 'trip:<id>' or 'hotel:<id>'; pollers in every worker fan events out to SSE clients.
CREATE TABLE IF NOT EXISTS events (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  topic      VARCHAR(64) NOT NULL,
  kind       VARCHAR(32) NOT NULL,
  payload    JSON NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_events_created (created_at),
  KEY ix_events_topic (topic, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
