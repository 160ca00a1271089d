-- Rate-limit counters shared by every worker and host: one row per (bucket, fixed window).
-- bucket = "<rule>:<sha256 of the key>" (no e-mail or IP stored in clear); expires_at lets one
-- cheap range delete prune rows of every rule.
CREATE TABLE IF NOT EXISTS rate_limits (
  bucket       VARCHAR(100) NOT NULL,
  window_start BIGINT UNSIGNED NOT NULL,
  hits         INT UNSIGNED NOT NULL,
  expires_at   BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (bucket, window_start),
  KEY ix_rate_limits_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
