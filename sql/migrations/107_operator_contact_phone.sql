-- The operator's number travellers call on the day (issue 22: the ticket shows it). NULL shows nothing.
ALTER TABLE operators ADD COLUMN IF NOT EXISTS contact_phone VARCHAR(32) NULL AFTER contact_email;
