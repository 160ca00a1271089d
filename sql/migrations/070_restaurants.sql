-- Restaurants (issue 17): a place in a city with tables, opening hours and a booking policy.
-- Times are the restaurant city's wall clock (cities.timezone). A sitting starts on the slot grid (slot_minutes
-- from midnight) and lasts sitting_minutes, a whole number of slots, so two sittings overlap exactly when they
-- share a (table, slot) row in restaurant_table_slots, whose primary key refuses the second one.
-- partner_id: the owning business (issue 17's partners); the foreign key is added when the partners table exists.
CREATE TABLE IF NOT EXISTS restaurants (
  id                 INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  city_id            INT UNSIGNED NOT NULL,
  partner_id         BIGINT NULL,
  name               VARCHAR(150) NOT NULL,
  description        TEXT NOT NULL,
  address            VARCHAR(255) NOT NULL,
  area               VARCHAR(100) NOT NULL,
  cuisine            VARCHAR(40) NOT NULL,
  price_level        TINYINT UNSIGNED NOT NULL,
  rating             DECIMAL(2,1) NOT NULL DEFAULT 0.0,
  slot_minutes       TINYINT UNSIGNED NOT NULL DEFAULT 15,
  sitting_minutes    SMALLINT UNSIGNED NOT NULL DEFAULT 90,
  confirmation       ENUM('instant','request') NOT NULL DEFAULT 'instant',
  response_minutes   SMALLINT UNSIGNED NOT NULL DEFAULT 120,
  deposit_minor      INT UNSIGNED NOT NULL DEFAULT 0,
  currency           CHAR(3) NOT NULL DEFAULT 'INR',
  free_cancel_hours  SMALLINT UNSIGNED NOT NULL DEFAULT 2,
  combine_tables     TINYINT(1) NOT NULL DEFAULT 0,
  max_party          TINYINT UNSIGNED NOT NULL DEFAULT 10,
  created_at         DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_restaurants_city (city_id, rating),
  KEY ix_restaurants_partner (partner_id),
  CONSTRAINT fk_restaurants_city FOREIGN KEY (city_id) REFERENCES cities (id),
  CONSTRAINT ck_restaurants_price_level CHECK (price_level BETWEEN 1 AND 4),
  CONSTRAINT ck_restaurants_rating CHECK (rating BETWEEN 0 AND 5),
  CONSTRAINT ck_restaurants_slot CHECK (slot_minutes IN (5, 10, 15, 20, 30, 60)),
  CONSTRAINT ck_restaurants_sitting CHECK (sitting_minutes BETWEEN 30 AND 360 AND sitting_minutes % slot_minutes = 0),
  CONSTRAINT ck_restaurants_response CHECK (response_minutes BETWEEN 5 AND 2880),
  CONSTRAINT ck_restaurants_party CHECK (max_party BETWEEN 1 AND 40)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Opening hours per weekday (0 = Monday); two rows make a lunch and a dinner service. A sitting must end by
-- `closes` (the last sitting starts sitting_minutes before it).
CREATE TABLE IF NOT EXISTS restaurant_hours (
  restaurant_id  INT UNSIGNED NOT NULL,
  weekday        TINYINT UNSIGNED NOT NULL,
  opens          TIME NOT NULL,
  closes         TIME NOT NULL,
  PRIMARY KEY (restaurant_id, weekday, opens),
  CONSTRAINT fk_restaurant_hours_restaurant FOREIGN KEY (restaurant_id) REFERENCES restaurants (id) ON DELETE CASCADE,
  CONSTRAINT ck_restaurant_hours_weekday CHECK (weekday BETWEEN 0 AND 6),
  CONSTRAINT ck_restaurant_hours_span CHECK (closes > opens)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Tables: the rows a restaurant booking locks (all of one restaurant, in primary-key order).
CREATE TABLE IF NOT EXISTS restaurant_tables (
  id             INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  restaurant_id  INT UNSIGNED NOT NULL,
  label          VARCHAR(16) NOT NULL,
  seats          TINYINT UNSIGNED NOT NULL,
  UNIQUE KEY uq_restaurant_tables_label (restaurant_id, label),
  CONSTRAINT fk_restaurant_tables_restaurant FOREIGN KEY (restaurant_id) REFERENCES restaurants (id) ON DELETE CASCADE,
  CONSTRAINT ck_restaurant_tables_seats CHECK (seats BETWEEN 1 AND 20)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Two tables that stand side by side and may be pushed together for a large party (when the restaurant allows it).
-- Stored once per pair, lower id first.
CREATE TABLE IF NOT EXISTS restaurant_table_links (
  table_id     INT UNSIGNED NOT NULL,
  adjacent_id  INT UNSIGNED NOT NULL,
  PRIMARY KEY (table_id, adjacent_id),
  KEY ix_restaurant_table_links_adjacent (adjacent_id),
  CONSTRAINT fk_restaurant_table_links_table FOREIGN KEY (table_id) REFERENCES restaurant_tables (id) ON DELETE CASCADE,
  CONSTRAINT fk_restaurant_table_links_adjacent FOREIGN KEY (adjacent_id) REFERENCES restaurant_tables (id) ON DELETE CASCADE,
  CONSTRAINT ck_restaurant_table_links_order CHECK (table_id < adjacent_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
