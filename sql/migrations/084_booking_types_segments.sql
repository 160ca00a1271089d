-- Train and flight bookings hold a trip like a bus booking (trip_id), with their seats and segment in
-- booking_segment_seats / booking_seat_legs. One statement: the type list and the kind check change together, and
-- both keep every kind before them (restaurant tables, 071).
ALTER TABLE bookings
  MODIFY type ENUM('bus','hotel','restaurant','train','flight') NOT NULL,
  DROP CONSTRAINT ck_bookings_kind,
  ADD CONSTRAINT ck_bookings_kind CHECK (
    (type IN ('bus','train','flight') AND trip_id IS NOT NULL)
    OR (type = 'hotel' AND room_type_id IS NOT NULL AND check_out > check_in)
    OR (type = 'restaurant' AND restaurant_id IS NOT NULL AND guests IS NOT NULL));
