-- Transport: operators, vehicles with seat layouts, trips (mode bus now; train and flight later).
CREATE TABLE IF NOT EXISTS operators (
  id         INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name       VARCHAR(100) NOT NULL,
  rating     DECIMAL(2,1) NOT NULL DEFAULT 0.0,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_operators_name (name),
  CONSTRAINT ck_operators_rating CHECK (rating BETWEEN 0 AND 5)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- bus_type: ac_seater, ac_sleeper, non_ac_seater, non_ac_sleeper (derived from is_ac + berth).
CREATE TABLE IF NOT EXISTS vehicles (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  operator_id INT UNSIGNED NOT NULL,
  name        VARCHAR(100) NOT NULL,
  is_ac       TINYINT(1) NOT NULL DEFAULT 1,
  berth       ENUM('seater','sleeper') NOT NULL DEFAULT 'seater',
  layout      VARCHAR(16) NOT NULL,
  decks       TINYINT UNSIGNED NOT NULL DEFAULT 1,
  rows_count  TINYINT UNSIGNED NOT NULL,
  cols_count  TINYINT UNSIGNED NOT NULL,
  seat_count  SMALLINT UNSIGNED NOT NULL,
  KEY ix_vehicles_operator (operator_id),
  CONSTRAINT fk_vehicles_operator FOREIGN KEY (operator_id) REFERENCES operators (id),
  CONSTRAINT ck_vehicles_decks CHECK (decks BETWEEN 1 AND 2)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per seat or berth; row_no/col_no place it on the map (the aisle is the missing column).
CREATE TABLE IF NOT EXISTS vehicle_seats (
  id         INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  vehicle_id INT UNSIGNED NOT NULL,
  label      VARCHAR(8) NOT NULL,
  deck       TINYINT UNSIGNED NOT NULL DEFAULT 1,
  row_no     TINYINT UNSIGNED NOT NULL,
  col_no     TINYINT UNSIGNED NOT NULL,
  kind       ENUM('window','aisle','middle') NOT NULL,
  UNIQUE KEY uq_vehicle_seats_label (vehicle_id, label),
  UNIQUE KEY uq_vehicle_seats_pos (vehicle_id, deck, row_no, col_no),
  CONSTRAINT fk_vehicle_seats_vehicle FOREIGN KEY (vehicle_id) REFERENCES vehicles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- seats_booked is the counter kept in the booking transaction (the trip row is the lock);
-- the CHECK makes overselling impossible even if code is wrong.
CREATE TABLE IF NOT EXISTS trips (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  mode             ENUM('bus','train','flight') NOT NULL DEFAULT 'bus',
  operator_id      INT UNSIGNED NOT NULL,
  vehicle_id       INT UNSIGNED NOT NULL,
  origin_id        INT UNSIGNED NOT NULL,
  destination_id   INT UNSIGNED NOT NULL,
  departs_at       DATETIME NOT NULL,
  arrives_at       DATETIME NOT NULL,
  duration_minutes SMALLINT UNSIGNED NOT NULL,
  price_minor      INT UNSIGNED NOT NULL,
  currency         CHAR(3) NOT NULL DEFAULT 'EUR',
  seats_total      SMALLINT UNSIGNED NOT NULL,
  seats_booked     SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  status           ENUM('scheduled','cancelled') NOT NULL DEFAULT 'scheduled',
  cancel_reason    VARCHAR(255) NULL,
  amenities        SET('wifi','charging','water','blanket','snacks','toilet','tv','reading_light','live_tracking') NOT NULL DEFAULT '',
  boarding_points  JSON NOT NULL,
  dropping_points  JSON NOT NULL,
  created_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_trips_route_departure (origin_id, destination_id, departs_at),
  KEY ix_trips_departure (departs_at),
  KEY ix_trips_operator (operator_id),
  KEY ix_trips_vehicle (vehicle_id),
  KEY ix_trips_destination (destination_id),
  CONSTRAINT fk_trips_operator FOREIGN KEY (operator_id) REFERENCES operators (id),
  CONSTRAINT fk_trips_vehicle FOREIGN KEY (vehicle_id) REFERENCES vehicles (id),
  CONSTRAINT fk_trips_origin FOREIGN KEY (origin_id) REFERENCES cities (id),
  CONSTRAINT fk_trips_destination FOREIGN KEY (destination_id) REFERENCES cities (id),
  CONSTRAINT ck_trips_seats CHECK (seats_booked <= seats_total),
  CONSTRAINT ck_trips_times CHECK (arrives_at > departs_at),
  CONSTRAINT ck_trips_route CHECK (origin_id <> destination_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
