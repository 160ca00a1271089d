-- Dynamic pricing (issue 23). Rules are data: one row per rule, scoped to exactly one product (a route, a trip, a
-- hotel or a room type), evaluated by travelgo.pricing.engine.price(). The evaluated price is materialised into the
-- existing price columns (trips.price_minor, room_inventory.price_minor), which search, pages and the booking engine
-- read as before; the admin's own price is kept as base_price_minor (NULL: not repriced yet, the base is price_minor).
CREATE TABLE IF NOT EXISTS pricing_rules (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name              VARCHAR(120) NOT NULL,
  kind              ENUM('occupancy','lead_time','weekday','season') NOT NULL,
  origin_id         INT UNSIGNED NULL,
  destination_id    INT UNSIGNED NULL,
  trip_id           BIGINT UNSIGNED NULL,
  hotel_id          INT UNSIGNED NULL,
  room_type_id      INT UNSIGNED NULL,
  threshold_percent TINYINT UNSIGNED NULL,          -- occupancy: applies when at least this share is sold
  days_min          SMALLINT UNSIGNED NULL,         -- lead_time: days before travel, inclusive window
  days_max          SMALLINT UNSIGNED NULL,
  weekdays          SET('mon','tue','wed','thu','fri','sat','sun') NULL,
  starts_on         DATE NULL,                      -- season: travel dates, inclusive
  ends_on           DATE NULL,
  adjust_percent    DECIMAL(6,2) NOT NULL,          -- +10.00 raises by 10 %, -15.00 lowers by 15 %
  priority          SMALLINT NOT NULL DEFAULT 100,  -- lower applies first (adjustments compound)
  enabled           TINYINT(1) NOT NULL DEFAULT 1,
  created_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY ix_pricing_rules_route (origin_id, destination_id),
  KEY ix_pricing_rules_trip (trip_id),
  KEY ix_pricing_rules_hotel (hotel_id),
  KEY ix_pricing_rules_room_type (room_type_id),
  CONSTRAINT fk_pricing_rules_origin FOREIGN KEY (origin_id) REFERENCES cities (id),
  CONSTRAINT fk_pricing_rules_destination FOREIGN KEY (destination_id) REFERENCES cities (id),
  CONSTRAINT fk_pricing_rules_trip FOREIGN KEY (trip_id) REFERENCES trips (id) ON DELETE CASCADE,
  CONSTRAINT fk_pricing_rules_hotel FOREIGN KEY (hotel_id) REFERENCES hotels (id) ON DELETE CASCADE,
  CONSTRAINT fk_pricing_rules_room_type FOREIGN KEY (room_type_id) REFERENCES room_types (id) ON DELETE CASCADE,
  -- exactly one scope: a route (both ends), a trip, a hotel or a room type
  CONSTRAINT ck_pricing_rules_scope CHECK (
    (origin_id IS NOT NULL AND destination_id IS NOT NULL) + (trip_id IS NOT NULL) + (hotel_id IS NOT NULL)
    + (room_type_id IS NOT NULL) = 1
    AND (origin_id IS NULL) = (destination_id IS NULL)),
  CONSTRAINT ck_pricing_rules_adjust CHECK (adjust_percent > -100 AND adjust_percent <= 500),
  CONSTRAINT ck_pricing_rules_threshold CHECK (threshold_percent IS NULL OR threshold_percent <= 100),
  CONSTRAINT ck_pricing_rules_days CHECK (days_min IS NULL OR days_max IS NULL OR days_min <= days_max),
  CONSTRAINT ck_pricing_rules_season CHECK (starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The admin's price, kept apart from the current (dynamic) price; NULL until the product is first repriced.
ALTER TABLE trips ADD COLUMN IF NOT EXISTS base_price_minor INT UNSIGNED NULL AFTER price_minor;
ALTER TABLE room_inventory ADD COLUMN IF NOT EXISTS base_price_minor INT UNSIGNED NULL AFTER price_minor;

-- Per product: the dynamic price never goes below the floor nor above the ceiling (NULL: no bound).
ALTER TABLE trips ADD COLUMN IF NOT EXISTS floor_minor INT UNSIGNED NULL AFTER base_price_minor;
ALTER TABLE trips ADD COLUMN IF NOT EXISTS ceiling_minor INT UNSIGNED NULL AFTER floor_minor;
ALTER TABLE room_types ADD COLUMN IF NOT EXISTS floor_minor INT UNSIGNED NULL AFTER base_price_minor;
ALTER TABLE room_types ADD COLUMN IF NOT EXISTS ceiling_minor INT UNSIGNED NULL AFTER floor_minor;
