-- Every hold counts the traveller's unexpired holds under their row lock (the open-holds limit). Without an index
-- for it the count read each of the traveller's bookings through ix_bookings_user_starts, or, when the statistics
-- said few holds were pending, every pending hold of the platform through ix_bookings_hold: work that grows with
-- the history or with the whole site's traffic. This index answers it from the traveller's own unexpired holds,
-- and the count stops at the limit (issue 24), so a hold's check costs the same for a new and a frequent traveller.
ALTER TABLE bookings ADD INDEX ix_bookings_user_open (user_id, status, expires_at);
