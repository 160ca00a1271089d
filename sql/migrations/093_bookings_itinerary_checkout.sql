-- A booking held by an itinerary's checkout points to it (NULL for a booking made on its own).
-- One statement, so it applies whole or not at all.
ALTER TABLE bookings
  ADD COLUMN itinerary_checkout_id BIGINT UNSIGNED NULL,
  ADD KEY ix_bookings_itinerary_checkout (itinerary_checkout_id),
  ADD CONSTRAINT fk_bookings_itinerary_checkout FOREIGN KEY (itinerary_checkout_id)
      REFERENCES itinerary_checkouts (id);
