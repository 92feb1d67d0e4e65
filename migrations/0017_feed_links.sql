-- One calendar feed link per user: only the SHA-256 of its secret token is kept, so a copy of the
-- database does not hand out subscription URLs. Posting a new link replaces the row (the old URL
-- then matches nothing); revoking deletes it.
CREATE TABLE feed_links (
  user_id     text PRIMARY KEY,
  token_hash  bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);
