-- Notifications (issue 20): one row per message and channel, written in the transaction of the change that causes
-- it. A sender loop in every worker claims due rows (FOR UPDATE SKIP LOCKED, leased), renders the message from the
-- booking as it stands plus the facts the event recorded (`context`), delivers it, and retries with backoff;
-- after its last attempt a row is 'failed' and stays visible (admin: /admin/notifications, with a resend). A message
-- about a hold that is no longer one by the time it goes (paid, cancelled, expired) is 'skipped', not sent.
CREATE TABLE IF NOT EXISTS notifications (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind            VARCHAR(40) CHARACTER SET ascii NOT NULL,
  channel         ENUM('email','sms','whatsapp') NOT NULL,
  user_id         BIGINT UNSIGNED NULL,
  booking_id      BIGINT UNSIGNED NULL,
  recipient       VARCHAR(254) NOT NULL,
  context         TEXT NULL,
  dedupe_key      VARCHAR(120) CHARACTER SET ascii NULL,
  status          ENUM('pending','sent','failed','skipped') NOT NULL DEFAULT 'pending',
  attempts        SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  last_error      VARCHAR(255) NULL,
  subject         VARCHAR(255) NULL,
  body            TEXT NULL,
  provider_id     VARCHAR(100) NULL,
  created_at      DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  sent_at         DATETIME(6) NULL,
  UNIQUE KEY uq_notifications_dedupe (dedupe_key, channel),
  KEY ix_notifications_due (status, next_attempt_at),
  KEY ix_notifications_user (user_id, created_at),
  KEY ix_notifications_booking (booking_id),
  CONSTRAINT fk_notifications_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_notifications_booking FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A traveller's channels: e-mail always (tickets); SMS and WhatsApp opt-in, only to a phone number they verified.
ALTER TABLE users
  ADD COLUMN IF NOT EXISTS notify_sms TINYINT(1) NOT NULL DEFAULT 0 AFTER phone,
  ADD COLUMN IF NOT EXISTS notify_whatsapp TINYINT(1) NOT NULL DEFAULT 0 AFTER notify_sms,
  ADD COLUMN IF NOT EXISTS phone_verified_at DATETIME(6) NULL AFTER notify_whatsapp;

-- SMS and WhatsApp messages the local Messenger "sent" (development and tests; TRAVELGO_MESSENGER=local).
CREATE TABLE IF NOT EXISTS local_messages (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  channel     ENUM('sms','whatsapp') NOT NULL,
  to_number   VARCHAR(32) NOT NULL,
  body        TEXT NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  KEY ix_local_messages_to (to_number)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
