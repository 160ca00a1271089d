-- Search: "buses from a city on a day" and "buses to a city on a day" range over these
-- (the route index covers origin + destination + day; ix_trips_departure covers browsing a day).
ALTER TABLE trips
  ADD INDEX ix_trips_origin_departure (origin_id, departs_at),
  ADD INDEX ix_trips_destination_departure (destination_id, departs_at);
