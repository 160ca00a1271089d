-- API token keys are stored as the SHA-256 (hex) of the key, like session ids: a database read yields no live
-- credential. The column grows to hold a digest; 041 and 042 hash the keys and ids already stored.
ALTER TABLE api_tokens MODIFY token_key CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
