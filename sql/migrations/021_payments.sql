-- Money, recorded rather than inferred. Amounts in minor units; every row is written in the same transaction
-- as the booking change it causes. Times are UTC.

-- One provider order per booking: what the traveller is asked to pay, and what the provider said about it.
CREATE TABLE IF NOT EXISTS payments (
  id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  booking_id          BIGINT UNSIGNED NOT NULL,
  provider            VARCHAR(16) NOT NULL,
  order_id            VARCHAR(64) NOT NULL,
  amount_minor        INT UNSIGNED NOT NULL,
  currency            CHAR(3) NOT NULL,
  status              ENUM('created','failed','captured') NOT NULL DEFAULT 'created',
  provider_payment_id VARCHAR(64) NULL,
  last_error          VARCHAR(255) NULL,
  captured_at         DATETIME(6) NULL,
  created_at          DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  updated_at          DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  UNIQUE KEY uq_payments_order (provider, order_id),
  UNIQUE KEY uq_payments_booking (booking_id),
  KEY ix_payments_status (status, created_at),
  CONSTRAINT fk_payments_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Money going back to the payer: a cancellation's refund, or a late or second payment returned in full.
-- pending until the provider confirms it (processed) or refuses it (failed, retried).
CREATE TABLE IF NOT EXISTS refunds (
  id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  booking_id          BIGINT UNSIGNED NOT NULL,
  payment_id          BIGINT UNSIGNED NOT NULL,
  provider_payment_id VARCHAR(64) NOT NULL,
  provider_refund_id  VARCHAR(64) NULL,
  amount_minor        INT UNSIGNED NOT NULL,
  currency            CHAR(3) NOT NULL,
  reason              ENUM('cancellation','late_payment','duplicate_payment') NOT NULL,
  status              ENUM('pending','processed','failed') NOT NULL DEFAULT 'pending',
  attempts            SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at     DATETIME(6) NULL,
  last_error          VARCHAR(255) NULL,
  created_at          DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  updated_at          DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  UNIQUE KEY uq_refunds_provider (provider_refund_id),
  KEY ix_refunds_booking (booking_id),
  KEY ix_refunds_due (status, next_attempt_at),
  CONSTRAINT fk_refunds_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE,
  CONSTRAINT fk_refunds_payment FOREIGN KEY (payment_id) REFERENCES payments (id) ON DELETE CASCADE,
  CONSTRAINT ck_refunds_amount CHECK (amount_minor > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every provider event (webhook or browser return) applied, keyed by the provider's own event id:
-- a duplicate or a retry finds its row and changes nothing.
CREATE TABLE IF NOT EXISTS payment_events (
  provider     VARCHAR(16) NOT NULL,
  event_id     VARCHAR(100) NOT NULL,
  kind         VARCHAR(32) NOT NULL,
  booking_id   BIGINT UNSIGNED NULL,
  order_id     VARCHAR(64) NOT NULL,
  outcome      VARCHAR(64) NOT NULL,
  received_at  DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  PRIMARY KEY (provider, event_id),
  KEY ix_payment_events_booking (booking_id),
  CONSTRAINT fk_payment_events_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
