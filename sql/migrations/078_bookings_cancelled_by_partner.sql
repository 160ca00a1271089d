-- A partner business (issue 17) cancelling one of its bookings: not the platform (admin), and not a whole bus
-- called off (operator, which tells the traveller the bus is cancelled).
ALTER TABLE bookings MODIFY cancelled_by ENUM('traveller','admin','operator','partner') NULL;
