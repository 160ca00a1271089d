-- Verifying a traveller's phone number (issue 20) before SMS or WhatsApp go to it: a 6-digit code sent by SMS,
-- stored only as a keyed hash, for one number, for 10 minutes and 5 tries. One live code per account: asking for a
-- new one replaces it; verifying, or changing the phone number, deletes it.
CREATE TABLE IF NOT EXISTS phone_verifications (
  user_id     BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  phone       VARCHAR(32) NOT NULL,
  code_hash   CHAR(64) CHARACTER SET ascii NOT NULL,
  attempts    SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  expires_at  DATETIME(6) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  CONSTRAINT fk_phone_verifications_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
