-- Segment inventory. Leg i runs from stop i to stop i + 1. trip_legs rows are the locks (taken in leg order) and
-- carry a counter that CHECK keeps within the seats; booking_seat_legs holds one row per (trip, seat, leg) while
-- the booking is active (held = 1; NULL once released): the UNIQUE key means two active bookings of one seat can
-- never share a leg, whatever the code does. A booking of stops a -> b holds legs a .. b-1.
CREATE TABLE IF NOT EXISTS trip_legs (
  trip_id      BIGINT UNSIGNED NOT NULL,
  leg_no       TINYINT UNSIGNED NOT NULL,
  seats_total  SMALLINT UNSIGNED NOT NULL,
  seats_booked SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (trip_id, leg_no),
  CONSTRAINT fk_trip_legs_trip FOREIGN KEY (trip_id) REFERENCES trips (id) ON DELETE CASCADE,
  CONSTRAINT ck_trip_legs_seats CHECK (seats_booked <= seats_total)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The passengers of a train or flight booking: one row per seat, with the segment and the fare it was sold at.
CREATE TABLE IF NOT EXISTS booking_segment_seats (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  booking_id       BIGINT UNSIGNED NOT NULL,
  trip_id          BIGINT UNSIGNED NOT NULL,
  seat_label       VARCHAR(8) NOT NULL,
  class_code       ENUM('SL','3A','2A','1A','CC','EC','Y','J') NOT NULL,
  from_stop        TINYINT UNSIGNED NOT NULL,
  to_stop          TINYINT UNSIGNED NOT NULL,
  passenger_name   VARCHAR(120) NOT NULL,
  passenger_age    TINYINT UNSIGNED NOT NULL,
  passenger_gender ENUM('female','male','other') NULL,
  price_minor      INT UNSIGNED NOT NULL,
  KEY ix_booking_segment_seats_booking (booking_id),
  KEY ix_booking_segment_seats_trip (trip_id),
  CONSTRAINT fk_booking_segment_seats_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE,
  CONSTRAINT fk_booking_segment_seats_trip FOREIGN KEY (trip_id) REFERENCES trips (id),
  CONSTRAINT ck_booking_segment_seats_stops CHECK (to_stop > from_stop)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS booking_seat_legs (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  booking_id  BIGINT UNSIGNED NOT NULL,
  trip_id     BIGINT UNSIGNED NOT NULL,
  seat_label  VARCHAR(8) NOT NULL,
  leg_no      TINYINT UNSIGNED NOT NULL,
  held        TINYINT(1) NULL DEFAULT 1,
  UNIQUE KEY uq_booking_seat_legs_hold (trip_id, seat_label, leg_no, held),
  KEY ix_booking_seat_legs_booking (booking_id),
  KEY ix_booking_seat_legs_leg (trip_id, leg_no, held),
  CONSTRAINT fk_booking_seat_legs_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE,
  CONSTRAINT fk_booking_seat_legs_leg FOREIGN KEY (trip_id, leg_no) REFERENCES trip_legs (trip_id, leg_no),
  CONSTRAINT ck_booking_seat_legs_held CHECK (held = 1 OR held IS NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
