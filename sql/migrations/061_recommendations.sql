-- Recommendations, rebuilt from confirmed bookings by the background refresh (travelgo/recommend/refresh.py).
-- An item is a short key: 'route:<origin_id>-<destination_id>' or 'hotel:<hotel_id>'.
-- All three tables are derived data: the refresh replaces their rows in one transaction, readers see the old or the new.

-- Each traveller's distinct items from confirmed bookings: the refresh's working set, built once per refresh so the
-- popularity and the pairs below do not each re-read every booking.
CREATE TABLE IF NOT EXISTS item_travellers (
  user_id   BIGINT UNSIGNED NOT NULL,
  item      VARCHAR(40) NOT NULL,
  city_id   INT UNSIGNED NOT NULL,
  bookings  INT UNSIGNED NOT NULL,
  last_at   DATETIME(6) NOT NULL,
  recency   INT UNSIGNED NOT NULL,  -- 1 for the traveller's most recently booked item, 2 for the next, ...
  PRIMARY KEY (user_id, item)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- How many distinct travellers booked each item; city_id is a route's origin or a hotel's city.
CREATE TABLE IF NOT EXISTS item_popularity (
  item          VARCHAR(40) NOT NULL PRIMARY KEY,
  city_id       INT UNSIGNED NOT NULL,
  travellers    INT UNSIGNED NOT NULL,
  score         DOUBLE NOT NULL,
  refreshed_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_item_popularity_city (city_id, score),
  KEY ix_item_popularity_score (score)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- Item-item co-occurrence: travellers who booked item_a also booked item_b. score is the cosine
-- travellers(a and b) / sqrt(travellers(a) * travellers(b)); only the strongest pairs of each item are kept.
CREATE TABLE IF NOT EXISTS item_pairs (
  item_a      VARCHAR(40) NOT NULL,
  item_b      VARCHAR(40) NOT NULL,
  travellers  INT UNSIGNED NOT NULL,
  score       DOUBLE NOT NULL,
  PRIMARY KEY (item_a, item_b),
  CONSTRAINT ck_item_pairs_distinct CHECK (item_a <> item_b)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
