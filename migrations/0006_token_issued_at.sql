-- When the current access token was issued: with its expiry, how long tokens live, so tokens
-- that live less than the refresh margin are not refreshed again on every use.
ALTER TABLE calendar_connections ADD COLUMN token_issued_at timestamptz;
