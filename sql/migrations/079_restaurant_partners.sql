-- Restaurants belong to a partner business like operators and hotels (issue 17): 070 created restaurants.partner_id
-- before the partners table existed (075); it gets partners.id's exact type and its foreign key here.
ALTER TABLE restaurants
  MODIFY partner_id INT UNSIGNED NULL,
  ADD CONSTRAINT fk_restaurants_partner FOREIGN KEY (partner_id) REFERENCES partners (id) ON DELETE SET NULL;
