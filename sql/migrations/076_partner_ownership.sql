-- Which business runs an operator (and so its vehicles and trips) or a hotel (its room types and nights).
-- NULL: the platform's admins run it. travelgo/partners/ownership.py is the one place that reads these.
ALTER TABLE operators
  ADD COLUMN IF NOT EXISTS partner_id INT UNSIGNED NULL,
  ADD KEY IF NOT EXISTS ix_operators_partner (partner_id),
  ADD CONSTRAINT fk_operators_partner FOREIGN KEY IF NOT EXISTS (partner_id) REFERENCES partners (id) ON DELETE SET NULL;
ALTER TABLE hotels
  ADD COLUMN IF NOT EXISTS partner_id INT UNSIGNED NULL,
  ADD KEY IF NOT EXISTS ix_hotels_partner (partner_id),
  ADD CONSTRAINT fk_hotels_partner FOREIGN KEY IF NOT EXISTS (partner_id) REFERENCES partners (id) ON DELETE SET NULL;
