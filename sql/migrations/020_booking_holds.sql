-- Holds: a booking is pending_payment (holding its inventory like a confirmed one) until paid, or until
-- expires_at (UTC) passes and the sweeper releases it as expired. One statement, so it applies whole or not at all.
ALTER TABLE bookings
  MODIFY status ENUM('pending_payment','confirmed','expired','cancelled') NOT NULL DEFAULT 'confirmed',
  MODIFY cancelled_by ENUM('traveller','admin','operator','system') NULL,
  ADD COLUMN expires_at DATETIME(6) NULL AFTER status,
  ADD KEY ix_bookings_hold (status, expires_at);
