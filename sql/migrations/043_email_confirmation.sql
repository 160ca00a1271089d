-- Self-registration no longer reveals whether an address has an account: the account it makes cannot log in until
-- the address is confirmed through the link mailed to it. Accounts TravelGo makes itself (seed data, admins,
-- accounts that existed before this) are confirmed when made, which is what the default says.
ALTER TABLE users
  ADD COLUMN IF NOT EXISTS email_confirmed_at DATETIME(6) NULL DEFAULT (UTC_TIMESTAMP(6)) AFTER role;
