-- TestPay: the local test gateway's own records ("the provider's database"). TravelGo's booking code never reads
-- these tables; it talks to TestPay through travelgo.payments.testpay.TestpayProvider and receives its webhooks
-- over HTTP, as it would from a hosted provider. Times are UTC.
CREATE TABLE IF NOT EXISTS testpay_orders (
  id            VARCHAR(40) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  receipt       VARCHAR(64) NOT NULL,
  amount_minor  INT UNSIGNED NOT NULL,
  currency      CHAR(3) NOT NULL,
  return_url    VARCHAR(500) NOT NULL,
  webhook_url   VARCHAR(500) NOT NULL,
  fail_refunds  TINYINT UNSIGNED NOT NULL DEFAULT 0,
  created_at    DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS testpay_payments (
  id            VARCHAR(40) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  order_id      VARCHAR(40) CHARACTER SET ascii NOT NULL,
  status        ENUM('captured','failed') NOT NULL,
  amount_minor  INT UNSIGNED NOT NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  KEY ix_testpay_payments_order (order_id),
  CONSTRAINT fk_testpay_payments_order FOREIGN KEY (order_id) REFERENCES testpay_orders (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS testpay_refunds (
  id            VARCHAR(40) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  payment_id    VARCHAR(40) CHARACTER SET ascii NOT NULL,
  amount_minor  INT UNSIGNED NOT NULL,
  status        ENUM('pending','processed','failed') NOT NULL DEFAULT 'pending',
  created_at    DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  KEY ix_testpay_refunds_payment (payment_id),
  CONSTRAINT fk_testpay_refunds_payment FOREIGN KEY (payment_id) REFERENCES testpay_payments (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Webhooks waiting to be delivered; a delivery loop in every worker claims due rows (FOR UPDATE SKIP LOCKED) and
-- leases them, so two workers never send one at once, and retries with backoff until it gets a 2xx.
CREATE TABLE IF NOT EXISTS testpay_webhooks (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id        VARCHAR(40) CHARACTER SET ascii NOT NULL,
  url             VARCHAR(500) NOT NULL,
  body            TEXT NOT NULL,
  attempts        SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  delivered_at    DATETIME(6) NULL,
  last_status     VARCHAR(64) NULL,
  created_at      DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  UNIQUE KEY uq_testpay_webhooks_event (event_id),
  KEY ix_testpay_webhooks_due (delivered_at, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
