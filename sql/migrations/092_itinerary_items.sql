-- An itinerary's items in the order they were added (position). body is exactly a POST /api/v1/bookings body;
-- the other columns are what checking it against live inventory said when it was added (title, times in UTC with
-- the zones of their cities, places, the price then), for the timeline, the warnings and the calendar.
-- booking_id: the booking its last checkout made (NULL until then; an expired hold can be checked out again).
CREATE TABLE IF NOT EXISTS itinerary_items (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  itinerary_id  BIGINT UNSIGNED NOT NULL,
  position      INT UNSIGNED NOT NULL,
  type          VARCHAR(16) NOT NULL,
  body          LONGTEXT NOT NULL,
  title         VARCHAR(255) NOT NULL,
  starts_at     DATETIME NOT NULL,
  ends_at       DATETIME NOT NULL,
  start_zone    VARCHAR(64) NOT NULL,
  end_zone      VARCHAR(64) NOT NULL,
  from_city_id  INT UNSIGNED NULL,
  to_city_id    INT UNSIGNED NULL,
  location      VARCHAR(255) NULL,
  total_minor   INT UNSIGNED NOT NULL,
  currency      CHAR(3) NOT NULL,
  booking_id    BIGINT UNSIGNED NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  UNIQUE KEY uq_itinerary_items_position (itinerary_id, position),
  UNIQUE KEY uq_itinerary_items_booking (booking_id),
  KEY ix_itinerary_items_starts (itinerary_id, starts_at),
  CONSTRAINT fk_itinerary_items_itinerary FOREIGN KEY (itinerary_id) REFERENCES itineraries (id) ON DELETE CASCADE,
  CONSTRAINT fk_itinerary_items_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE SET NULL,
  CONSTRAINT fk_itinerary_items_from FOREIGN KEY (from_city_id) REFERENCES cities (id),
  CONSTRAINT fk_itinerary_items_to FOREIGN KEY (to_city_id) REFERENCES cities (id),
  CONSTRAINT ck_itinerary_items_body CHECK (JSON_VALID(body)),
  CONSTRAINT ck_itinerary_items_span CHECK (ends_at >= starts_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
