-- Mail that someone is waiting for (a confirmation or reset link, an invitation) goes before mail about a trip (a
-- reminder, a receipt): a start-up scan that queues hundreds of reminders must not hold a new account's link back
-- by minutes. The sender claims by (queue_rank, next_attempt_at) on this index.
ALTER TABLE notifications
  ADD COLUMN queue_rank TINYINT UNSIGNED AS
    (IF(kind IN ('confirm_email', 'password_reset', 'account_exists', 'partner_invitation'), 0, 1)) STORED,
  ADD KEY ix_notifications_claim (status, queue_rank, next_attempt_at);
