-- Bookings and their items. starts_at/ends_at are the departure/arrival or check-in/check-out,
-- so "upcoming" and "past" are one index range for every booking type.
CREATE TABLE IF NOT EXISTS bookings (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  reference        CHAR(9) NOT NULL,
  user_id          BIGINT UNSIGNED NOT NULL,
  type             ENUM('bus','hotel') NOT NULL,
  status           ENUM('confirmed','cancelled') NOT NULL DEFAULT 'confirmed',
  total_minor      INT UNSIGNED NOT NULL,
  currency         CHAR(3) NOT NULL,
  contact_email    VARCHAR(254) NOT NULL,
  contact_phone    VARCHAR(32) NULL,
  trip_id          BIGINT UNSIGNED NULL,
  room_type_id     INT UNSIGNED NULL,
  check_in         DATE NULL,
  check_out        DATE NULL,
  rooms            TINYINT UNSIGNED NULL,
  guests           TINYINT UNSIGNED NULL,
  guest_name       VARCHAR(120) NULL,
  starts_at        DATETIME NOT NULL,
  ends_at          DATETIME NOT NULL,
  idempotency_key  VARCHAR(64) NULL,
  refund_minor     INT UNSIGNED NULL,
  cancel_reason    VARCHAR(255) NULL,
  cancelled_by     ENUM('traveller','admin','operator') NULL,
  cancelled_at     DATETIME(6) NULL,
  created_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_bookings_reference (reference),
  UNIQUE KEY uq_bookings_idempotency (user_id, idempotency_key),
  KEY ix_bookings_user_starts (user_id, starts_at),
  KEY ix_bookings_trip (trip_id),
  KEY ix_bookings_room_type (room_type_id),
  KEY ix_bookings_created (created_at),
  CONSTRAINT fk_bookings_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT fk_bookings_trip FOREIGN KEY (trip_id) REFERENCES trips (id),
  CONSTRAINT fk_bookings_room_type FOREIGN KEY (room_type_id) REFERENCES room_types (id),
  CONSTRAINT ck_bookings_kind CHECK ((type = 'bus' AND trip_id IS NOT NULL) OR (type = 'hotel' AND room_type_id IS NOT NULL AND check_out > check_in))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A seat held by a booking. held = 1 while the booking is active and NULL once cancelled:
-- a UNIQUE key ignores NULLs, so a seat can be held by at most one active booking, ever.
CREATE TABLE IF NOT EXISTS booking_seats (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  booking_id     BIGINT UNSIGNED NOT NULL,
  trip_id        BIGINT UNSIGNED NOT NULL,
  seat_label     VARCHAR(8) NOT NULL,
  passenger_name VARCHAR(120) NOT NULL,
  passenger_age  TINYINT UNSIGNED NOT NULL,
  passenger_gender ENUM('female','male','other') NULL,
  price_minor    INT UNSIGNED NOT NULL,
  held           TINYINT(1) NULL DEFAULT 1,
  UNIQUE KEY uq_booking_seats_hold (trip_id, seat_label, held),
  KEY ix_booking_seats_booking (booking_id),
  CONSTRAINT fk_booking_seats_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE,
  CONSTRAINT fk_booking_seats_trip FOREIGN KEY (trip_id) REFERENCES trips (id),
  CONSTRAINT ck_booking_seats_held CHECK (held = 1 OR held IS NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The room-nights a hotel booking consumes (rooms per night, the price it was sold at).
CREATE TABLE IF NOT EXISTS booking_nights (
  booking_id    BIGINT UNSIGNED NOT NULL,
  room_type_id  INT UNSIGNED NOT NULL,
  night         DATE NOT NULL,
  rooms         TINYINT UNSIGNED NOT NULL,
  price_minor   INT UNSIGNED NOT NULL,
  PRIMARY KEY (booking_id, night),
  KEY ix_booking_nights_inventory (room_type_id, night),
  CONSTRAINT fk_booking_nights_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE,
  CONSTRAINT fk_booking_nights_inventory FOREIGN KEY (room_type_id, night) REFERENCES room_inventory (room_type_id, night)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
