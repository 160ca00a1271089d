-- One checkout of an itinerary: the bookings held together in one transaction and paid by one payment. The payment
-- row belongs to the lead booking (payments.booking_id, unchanged); every booking of the checkout points here
-- (bookings.itinerary_checkout_id), so a payment event, a refund or a page finds the whole set.
CREATE TABLE IF NOT EXISTS itinerary_checkouts (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  itinerary_id    BIGINT UNSIGNED NOT NULL,
  user_id         BIGINT UNSIGNED NOT NULL,
  lead_booking_id BIGINT UNSIGNED NOT NULL,
  total_minor     INT UNSIGNED NOT NULL,
  currency        CHAR(3) NOT NULL,
  created_at      DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  UNIQUE KEY uq_itinerary_checkouts_lead (lead_booking_id),
  KEY ix_itinerary_checkouts_itinerary (itinerary_id),
  CONSTRAINT fk_itinerary_checkouts_itinerary FOREIGN KEY (itinerary_id) REFERENCES itineraries (id) ON DELETE CASCADE,
  CONSTRAINT fk_itinerary_checkouts_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT fk_itinerary_checkouts_lead FOREIGN KEY (lead_booking_id) REFERENCES bookings (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
