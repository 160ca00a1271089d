-- Where a restaurant hears of a new booking and the number a guest calls (issue 17's restaurant management; the
-- same pair operators and hotels have, 053 and 101). NULL: none given.
ALTER TABLE restaurants ADD COLUMN IF NOT EXISTS contact_email VARCHAR(254) NULL AFTER max_party;
ALTER TABLE restaurants ADD COLUMN IF NOT EXISTS contact_phone VARCHAR(20) NULL AFTER contact_email;
