-- Reviews (issue 23): a traveller reviews a completed trip or stay once per booking. The business's rating and
-- review_count are derived from its visible reviews, recomputed in the transaction that adds or hides one
-- (operators on 0-5, hotels on 0-10: twice the average of the 1-5 stars).
CREATE TABLE IF NOT EXISTS reviews (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  booking_id   BIGINT UNSIGNED NOT NULL,
  user_id      BIGINT UNSIGNED NOT NULL,
  operator_id  INT UNSIGNED NULL,
  hotel_id     INT UNSIGNED NULL,
  rating       TINYINT UNSIGNED NOT NULL,
  body         TEXT NOT NULL,
  reply        TEXT NULL,
  replied_at   DATETIME(6) NULL,
  replied_by   BIGINT UNSIGNED NULL,
  hidden_at    DATETIME(6) NULL,
  hidden_by    BIGINT UNSIGNED NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  UNIQUE KEY uq_reviews_booking (booking_id),
  KEY ix_reviews_operator (operator_id, hidden_at, created_at),
  KEY ix_reviews_hotel (hotel_id, hidden_at, created_at),
  KEY ix_reviews_user (user_id),
  KEY ix_reviews_created (created_at),
  CONSTRAINT fk_reviews_booking FOREIGN KEY (booking_id) REFERENCES bookings (id),
  CONSTRAINT fk_reviews_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT fk_reviews_operator FOREIGN KEY (operator_id) REFERENCES operators (id),
  CONSTRAINT fk_reviews_hotel FOREIGN KEY (hotel_id) REFERENCES hotels (id),
  CONSTRAINT fk_reviews_replied_by FOREIGN KEY (replied_by) REFERENCES users (id),
  CONSTRAINT fk_reviews_hidden_by FOREIGN KEY (hidden_by) REFERENCES users (id),
  CONSTRAINT ck_reviews_rating CHECK (rating BETWEEN 1 AND 5),
  CONSTRAINT ck_reviews_business CHECK ((operator_id IS NULL) <> (hotel_id IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE operators ADD COLUMN IF NOT EXISTS review_count INT NOT NULL DEFAULT 0 AFTER rating;
ALTER TABLE hotels ADD COLUMN IF NOT EXISTS review_count INT NOT NULL DEFAULT 0 AFTER rating;
