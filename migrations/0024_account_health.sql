-- Calendar account health: an account in `error` says why (`error_kind`, so each cause heals by
-- its own path), and every entry into `error` starts a new episode, which names the one
-- connection.error notification sent for it.
ALTER TABLE calendar_connections
  ADD COLUMN error_kind text CHECK (error_kind IN ('calendar_not_found', 'calendar_forbidden', 'account_disabled', 'secret_unavailable')),
  ADD COLUMN error_episode integer NOT NULL DEFAULT 0;
