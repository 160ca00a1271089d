-- Existing browser sessions keep working: their stored id becomes its digest (a plain id is 43 characters, a
-- digest 64, so running this twice changes nothing).
UPDATE sessions SET id = SHA2(id, 256) WHERE CHAR_LENGTH(id) < 64;
