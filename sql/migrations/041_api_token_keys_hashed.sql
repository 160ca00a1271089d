-- Existing tokens keep working: their stored key becomes its digest (a plain key is 32 hex characters, a digest 64,
-- so running this twice changes nothing).
UPDATE api_tokens SET token_key = SHA2(token_key, 256) WHERE CHAR_LENGTH(token_key) = 32;
