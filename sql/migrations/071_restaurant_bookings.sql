-- Restaurant bookings on the bookings table: type 'restaurant' with restaurant_id, the party size in `guests`, the
-- name in `guest_name`, the traveller's notes. A request to an "on request" restaurant is `requested` (holding its
-- tables until expires_at, the restaurant's answer deadline) and ends `rejected` when the restaurant says no.
-- One statement, so it applies whole or not at all.
ALTER TABLE bookings
  MODIFY type ENUM('bus','hotel','restaurant') NOT NULL,
  MODIFY status ENUM('pending_payment','confirmed','expired','cancelled','requested','rejected') NOT NULL DEFAULT 'confirmed',
  ADD COLUMN restaurant_id INT UNSIGNED NULL AFTER room_type_id,
  ADD COLUMN notes VARCHAR(500) NULL AFTER guest_name,
  ADD KEY ix_bookings_restaurant (restaurant_id, starts_at),
  ADD CONSTRAINT fk_bookings_restaurant FOREIGN KEY (restaurant_id) REFERENCES restaurants (id),
  DROP CONSTRAINT ck_bookings_kind,
  ADD CONSTRAINT ck_bookings_kind CHECK (
    (type = 'bus' AND trip_id IS NOT NULL)
    OR (type = 'hotel' AND room_type_id IS NOT NULL AND check_out > check_in)
    OR (type = 'restaurant' AND restaurant_id IS NOT NULL AND guests IS NOT NULL)
  );
