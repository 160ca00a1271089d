-- Cities served by buses and hotels.
CREATE TABLE IF NOT EXISTS cities (
  id         INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name       VARCHAR(100) NOT NULL,
  region     VARCHAR(100) NOT NULL,
  country    CHAR(2) NOT NULL,
  latitude   DECIMAL(9,6) NOT NULL,
  longitude  DECIMAL(9,6) NOT NULL,
  timezone   VARCHAR(64) NOT NULL,
  UNIQUE KEY uq_cities_name (name, country),
  CONSTRAINT ck_cities_lat CHECK (latitude BETWEEN -90 AND 90),
  CONSTRAINT ck_cities_lon CHECK (longitude BETWEEN -180 AND 180)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
