-- The number a traveller calls about a trip or a stay: printed on the e-ticket and the hotel voucher (issue 22).
ALTER TABLE operators ADD COLUMN IF NOT EXISTS contact_phone VARCHAR(20) NULL AFTER contact_email;
ALTER TABLE hotels ADD COLUMN IF NOT EXISTS contact_phone VARCHAR(20) NULL AFTER contact_email;
