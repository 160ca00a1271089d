-- A train or flight trip runs a route (bus trips keep route_id NULL: a two-stop route of their own origin and
-- destination). ix_trips_route_run finds a route's runs by date for the cross-mode search.
ALTER TABLE trips
  ADD COLUMN IF NOT EXISTS route_id INT UNSIGNED NULL AFTER mode,
  ADD INDEX IF NOT EXISTS ix_trips_route_run (route_id, departs_at),
  ADD CONSTRAINT fk_trips_route FOREIGN KEY IF NOT EXISTS (route_id) REFERENCES routes (id);
