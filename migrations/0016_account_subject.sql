-- The provider's stable identity of a connected account (Microsoft: tenant id + object id), so a
-- reconnect is matched on it rather than on an e-mail address a tenant can set freely. Stored as a
-- SHA-256 digest: matching needs equality only, and the ids themselves are never shown.
-- NULL for providers without one (Google, CalDAV) and for accounts connected before it was recorded.
ALTER TABLE calendar_connections ADD COLUMN account_subject_hash text;
