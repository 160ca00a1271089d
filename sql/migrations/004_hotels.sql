-- Hotels, room types and per-night inventory.
CREATE TABLE IF NOT EXISTS hotels (
  id           INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  city_id      INT UNSIGNED NOT NULL,
  name         VARCHAR(150) NOT NULL,
  description  TEXT NOT NULL,
  address      VARCHAR(255) NOT NULL,
  area         VARCHAR(100) NOT NULL,
  stars        TINYINT UNSIGNED NOT NULL,
  rating       DECIMAL(3,1) NOT NULL DEFAULT 0.0,
  amenities    SET('wifi','pool','parking','breakfast','air_conditioning','gym','spa','restaurant','bar','pets','airport_shuttle','family_rooms') NOT NULL DEFAULT '',
  latitude     DECIMAL(9,6) NOT NULL,
  longitude    DECIMAL(9,6) NOT NULL,
  distance_km  DECIMAL(5,2) NOT NULL DEFAULT 0,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_hotels_city (city_id, stars),
  CONSTRAINT fk_hotels_city FOREIGN KEY (city_id) REFERENCES cities (id),
  CONSTRAINT ck_hotels_stars CHECK (stars BETWEEN 1 AND 5),
  CONSTRAINT ck_hotels_rating CHECK (rating BETWEEN 0 AND 10)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS room_types (
  id                 INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  hotel_id           INT UNSIGNED NOT NULL,
  name               VARCHAR(100) NOT NULL,
  max_guests         TINYINT UNSIGNED NOT NULL,
  beds               VARCHAR(100) NOT NULL,
  base_price_minor   INT UNSIGNED NOT NULL,
  currency           CHAR(3) NOT NULL DEFAULT 'EUR',
  KEY ix_room_types_hotel (hotel_id),
  CONSTRAINT fk_room_types_hotel FOREIGN KEY (hotel_id) REFERENCES hotels (id) ON DELETE CASCADE,
  CONSTRAINT ck_room_types_guests CHECK (max_guests BETWEEN 1 AND 12)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per room type per night: the row a hotel booking locks. The CHECK keeps
-- rooms_booked between 0 and rooms_total even if code is wrong.
CREATE TABLE IF NOT EXISTS room_inventory (
  room_type_id  INT UNSIGNED NOT NULL,
  night         DATE NOT NULL,
  rooms_total   SMALLINT UNSIGNED NOT NULL,
  rooms_booked  SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  price_minor   INT UNSIGNED NOT NULL,
  stop_sell     TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (room_type_id, night),
  KEY ix_room_inventory_night (night),
  CONSTRAINT fk_room_inventory_room_type FOREIGN KEY (room_type_id) REFERENCES room_types (id) ON DELETE CASCADE,
  CONSTRAINT ck_room_inventory_booked CHECK (rooms_booked <= rooms_total)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
