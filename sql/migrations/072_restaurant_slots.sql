-- The tables a restaurant booking was given (kept after a release, as the booking's record).
CREATE TABLE IF NOT EXISTS booking_tables (
  booking_id  BIGINT UNSIGNED NOT NULL,
  table_id    INT UNSIGNED NOT NULL,
  PRIMARY KEY (booking_id, table_id),
  KEY ix_booking_tables_table (table_id),
  CONSTRAINT fk_booking_tables_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE,
  CONSTRAINT fk_booking_tables_table FOREIGN KEY (table_id) REFERENCES restaurant_tables (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per table per slot an active booking occupies (slot_at: the restaurant's wall clock). The primary key is
-- what makes a double booking impossible: two parties whose sittings overlap share a slot on that table, and the
-- second insert fails, whatever the code did. Releasing a booking deletes its rows.
CREATE TABLE IF NOT EXISTS restaurant_table_slots (
  table_id    INT UNSIGNED NOT NULL,
  slot_at     DATETIME NOT NULL,
  booking_id  BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (table_id, slot_at),
  KEY ix_restaurant_table_slots_booking (booking_id),
  CONSTRAINT fk_restaurant_table_slots_table FOREIGN KEY (table_id) REFERENCES restaurant_tables (id),
  CONSTRAINT fk_restaurant_table_slots_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
