-- Itineraries (issue 19): a traveller's plan of a trip. Its items are booking bodies (the same JSON as
-- POST /api/v1/bookings) that hold nothing until the whole itinerary is checked out.
CREATE TABLE IF NOT EXISTS itineraries (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id     BIGINT UNSIGNED NOT NULL,
  name        VARCHAR(120) NOT NULL,
  notes       VARCHAR(2000) NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  updated_at  DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  KEY ix_itineraries_user (user_id, created_at),
  CONSTRAINT fk_itineraries_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
