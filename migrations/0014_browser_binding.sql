-- Browser binding. A connect flow remembers the SHA-256 of the nonce in the cookie of the
-- browser that started it; the callback completes it only in that browser.
ALTER TABLE oauth_flows ADD COLUMN browser_hash text;

-- Settings links and the sessions they are exchanged for carry their user's generation; a
-- revocation raises it, so every earlier link and session stops working at once.
CREATE TABLE settings_link_generations (
  user_id     text PRIMARY KEY,
  generation  integer NOT NULL,
  revoked_at  timestamptz NOT NULL DEFAULT now()
);
