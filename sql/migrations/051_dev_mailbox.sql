-- E-mail received by the local SMTP server that development and tests send to when SMTP_URL is unset (issue 20):
-- the message as it arrived, plus its envelope and a few headers for the list at /dev/mail.
CREATE TABLE IF NOT EXISTS dev_mailbox (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  mail_from    VARCHAR(254) NOT NULL,
  rcpt_to      VARCHAR(1000) NOT NULL,
  to_header    VARCHAR(1000) NOT NULL DEFAULT '',
  subject      VARCHAR(255) NOT NULL DEFAULT '',
  message_id   VARCHAR(255) NOT NULL DEFAULT '',
  sent_at      DATETIME(6) NULL,
  size_bytes   INT UNSIGNED NOT NULL,
  raw          MEDIUMBLOB NOT NULL,
  received_at  DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  KEY ix_dev_mailbox_message_id (message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
