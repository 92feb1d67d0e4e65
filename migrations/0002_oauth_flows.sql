-- One row per connect link: created by the booking system, opened once by the user's browser
-- (which starts OAuth with a PKCE verifier sealed here), completed once by the callback.
CREATE TABLE oauth_flows (
  id                 text PRIMARY KEY,
  user_id            text NOT NULL,
  provider           text NOT NULL,
  return_url         text,
  code_verifier_enc  text,
  expires_at         timestamptz NOT NULL,
  opened_at          timestamptz,
  completed_at       timestamptz,
  outcome            text,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_flows_expires_idx ON oauth_flows (expires_at);
