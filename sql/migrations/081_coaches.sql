-- Coaches (trains) and cabins (flights) of a vehicle (a train's rake or an aircraft), each of one class, and their
-- seats or berths. Labels are unique within the vehicle ("B2-34", "12A"), so a trip's seat is (trip, label).
CREATE TABLE IF NOT EXISTS coaches (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  vehicle_id  INT UNSIGNED NOT NULL,
  code        VARCHAR(4) NOT NULL,
  class_code  ENUM('SL','3A','2A','1A','CC','EC','Y','J') NOT NULL,
  position    TINYINT UNSIGNED NOT NULL,
  UNIQUE KEY uq_coaches_code (vehicle_id, code),
  UNIQUE KEY uq_coaches_position (vehicle_id, position),
  CONSTRAINT fk_coaches_vehicle FOREIGN KEY (vehicle_id) REFERENCES vehicles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS coach_seats (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  vehicle_id  INT UNSIGNED NOT NULL,
  coach_id    INT UNSIGNED NOT NULL,
  label       VARCHAR(8) NOT NULL,
  number      SMALLINT UNSIGNED NOT NULL,
  berth       ENUM('lower','middle','upper','side_lower','side_upper','window','middle_seat','aisle') NOT NULL,
  row_no      TINYINT UNSIGNED NOT NULL,
  col_no      TINYINT UNSIGNED NOT NULL,
  UNIQUE KEY uq_coach_seats_label (vehicle_id, label),
  UNIQUE KEY uq_coach_seats_number (coach_id, number, label),
  CONSTRAINT fk_coach_seats_vehicle FOREIGN KEY (vehicle_id) REFERENCES vehicles (id) ON DELETE CASCADE,
  CONSTRAINT fk_coach_seats_coach FOREIGN KEY (coach_id) REFERENCES coaches (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
