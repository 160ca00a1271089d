-- The sender claims by (status, queue_rank, next_attempt_at) since migration 108, and every other read by status
-- uses that index's prefix, so ix_notifications_due (status, next_attempt_at) only cost each queued message one more
-- index entry (issue 24: a hold writes one message).
ALTER TABLE notifications DROP KEY ix_notifications_due;
