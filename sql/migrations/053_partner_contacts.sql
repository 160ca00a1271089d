-- Where an operator or a hotel hears of a new booking (issue 20: partners expect to hear about new bookings). Until
-- partner accounts exist (issue 17) this one address per business is the partner's inbox; NULL sends nothing.
ALTER TABLE operators ADD COLUMN IF NOT EXISTS contact_email VARCHAR(254) NULL AFTER rating;
ALTER TABLE hotels ADD COLUMN IF NOT EXISTS contact_email VARCHAR(254) NULL AFTER distance_km;
