-- The boarding and dropping point a bus traveller chose (issue 22). The composite keys reference (trip, point), so a
-- point of another trip cannot be stored even if code is wrong. A booking of a trip without points has no row.
CREATE TABLE IF NOT EXISTS booking_points (
  booking_id        BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  trip_id           BIGINT UNSIGNED NOT NULL,
  boarding_point_id BIGINT UNSIGNED NOT NULL,
  dropping_point_id BIGINT UNSIGNED NOT NULL,
  KEY ix_booking_points_boarding (trip_id, boarding_point_id),
  KEY ix_booking_points_dropping (trip_id, dropping_point_id),
  CONSTRAINT fk_booking_points_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE,
  CONSTRAINT fk_booking_points_boarding FOREIGN KEY (trip_id, boarding_point_id) REFERENCES trip_points (trip_id, id),
  CONSTRAINT fk_booking_points_dropping FOREIGN KEY (trip_id, dropping_point_id) REFERENCES trip_points (trip_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
