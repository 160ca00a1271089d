-- A counter may carry its limit, and the database refuses a hit past it (issue 24): ratelimit.hit_each counts a
-- booking against its account and its client address in one statement, and a refusal there is the "over" answer
-- (the CHECK fails, the statement changes nothing). Rows without a limit (NULL) count on as before.
ALTER TABLE rate_limits
  ADD COLUMN hit_limit INT UNSIGNED NULL AFTER hits,
  ADD CONSTRAINT ck_rate_limits_ceiling CHECK (hit_limit IS NULL OR hits <= hit_limit);
