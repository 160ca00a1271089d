-- The operator's number travellers call on the day (issue 22: the ticket shows it). NULL shows nothing.
-- The same column as the uxtravel branch's 101_business_phones.sql: after that one this is a no-op.
ALTER TABLE operators ADD COLUMN IF NOT EXISTS contact_phone VARCHAR(20) NULL AFTER contact_email;
