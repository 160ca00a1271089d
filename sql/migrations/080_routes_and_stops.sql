-- Multi-stop routes (issue 18): a route is an operator's numbered service (train 12951, flight AI 865) calling at
-- ordered stops. Stop times are minutes after the route's first departure, so a trip is "this route on a date" and
-- an overnight train's day offsets are derived (minutes // 1440). A route calls at a city once, so a city id names
-- a stop without ambiguity (as origin/destination do in the bus search).
CREATE TABLE IF NOT EXISTS airports (
  id       INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  iata     CHAR(3) NOT NULL,
  name     VARCHAR(120) NOT NULL,
  city_id  INT UNSIGNED NOT NULL,
  UNIQUE KEY uq_airports_iata (iata),
  KEY ix_airports_city (city_id),
  CONSTRAINT fk_airports_city FOREIGN KEY (city_id) REFERENCES cities (id),
  CONSTRAINT ck_airports_iata CHECK (CHAR_LENGTH(iata) = 3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS routes (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  mode        ENUM('bus','train','flight') NOT NULL,
  operator_id INT UNSIGNED NOT NULL,
  code        VARCHAR(16) NOT NULL,
  name        VARCHAR(120) NOT NULL,
  UNIQUE KEY uq_routes_code (mode, code),
  KEY ix_routes_operator (operator_id),
  CONSTRAINT fk_routes_operator FOREIGN KEY (operator_id) REFERENCES operators (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- arrives_after is NULL at the first stop, departs_after NULL at the last; distance_km from the first stop.
CREATE TABLE IF NOT EXISTS route_stops (
  route_id      INT UNSIGNED NOT NULL,
  stop_no       TINYINT UNSIGNED NOT NULL,
  city_id       INT UNSIGNED NOT NULL,
  airport_id    INT UNSIGNED NULL,
  station       VARCHAR(120) NOT NULL,
  arrives_after SMALLINT UNSIGNED NULL,
  departs_after SMALLINT UNSIGNED NULL,
  distance_km   SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (route_id, stop_no),
  UNIQUE KEY uq_route_stops_city (route_id, city_id),
  KEY ix_route_stops_city (city_id, route_id, stop_no),
  CONSTRAINT fk_route_stops_route FOREIGN KEY (route_id) REFERENCES routes (id) ON DELETE CASCADE,
  CONSTRAINT fk_route_stops_city FOREIGN KEY (city_id) REFERENCES cities (id),
  CONSTRAINT fk_route_stops_airport FOREIGN KEY (airport_id) REFERENCES airports (id),
  CONSTRAINT ck_route_stops_times CHECK (
    (arrives_after IS NOT NULL OR departs_after IS NOT NULL)
    AND (arrives_after IS NULL OR departs_after IS NULL OR departs_after >= arrives_after))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Fare of one class from stop a to stop b: base_minor + per_km_minor * (distance_b - distance_a), whole rupees.
CREATE TABLE IF NOT EXISTS route_fares (
  route_id     INT UNSIGNED NOT NULL,
  class_code   ENUM('SL','3A','2A','1A','CC','EC','Y','J') NOT NULL,
  base_minor   INT UNSIGNED NOT NULL,
  per_km_minor INT UNSIGNED NOT NULL DEFAULT 0,
  currency     CHAR(3) NOT NULL DEFAULT 'INR',
  PRIMARY KEY (route_id, class_code),
  CONSTRAINT fk_route_fares_route FOREIGN KEY (route_id) REFERENCES routes (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
