-- Boarding and dropping points of a trip (issue 22): several of each, in order, each with its own time. `at` is a
-- wall-clock time of the trip's origin city, like trips.departs_at/arrives_at (dates.zoned shows a dropping point in
-- the destination's zone). UNIQUE(trip_id, id) lets a booking's choice reference (trip, point), so the schema
-- refuses a point of another trip. trips.boarding_points/dropping_points (JSON) stay as the summary they were.
CREATE TABLE IF NOT EXISTS trip_points (
  id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  trip_id   BIGINT UNSIGNED NOT NULL,
  kind      ENUM('boarding','dropping') NOT NULL,
  position  TINYINT UNSIGNED NOT NULL,
  name      VARCHAR(100) NOT NULL,
  landmark  VARCHAR(200) NULL,
  at        DATETIME NOT NULL,
  UNIQUE KEY uq_trip_points_order (trip_id, kind, position),
  UNIQUE KEY uq_trip_points_trip (trip_id, id),
  CONSTRAINT fk_trip_points_trip FOREIGN KEY (trip_id) REFERENCES trips (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
