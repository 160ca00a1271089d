-- The rake (train) or aircraft (flight) a route runs with: new runs made in the admin use it.
ALTER TABLE routes
  ADD COLUMN IF NOT EXISTS vehicle_id INT UNSIGNED NULL AFTER operator_id,
  ADD CONSTRAINT fk_routes_vehicle FOREIGN KEY IF NOT EXISTS (vehicle_id) REFERENCES vehicles (id);
