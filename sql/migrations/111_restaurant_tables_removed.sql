-- A table a restaurant takes out of service stays as the record of its past bookings (booking_tables points at it)
-- but is never offered again: `active` is 1 while in service and NULL once removed. The label key includes it, and
-- a unique key ignores NULLs, so a removed table's label can be given to a new one. One statement.
ALTER TABLE restaurant_tables
  ADD COLUMN IF NOT EXISTS active TINYINT(1) NULL DEFAULT 1,
  ADD CONSTRAINT IF NOT EXISTS ck_restaurant_tables_active CHECK (active = 1),
  ADD UNIQUE KEY IF NOT EXISTS uq_restaurant_tables_active_label (restaurant_id, label, active),
  DROP INDEX IF EXISTS uq_restaurant_tables_label;
