-- The business an audited change was made for (NULL: a platform change). No foreign key: the trail outlives it.
ALTER TABLE audit_log
  ADD COLUMN IF NOT EXISTS partner_id INT UNSIGNED NULL AFTER user_id,
  ADD KEY IF NOT EXISTS ix_audit_partner (partner_id, created_at);
