-- One row per connect attempt (a CalDAV verification, an OAuth connect link): the per-user
-- hourly limit is counted here so every API process shares it. Rows older than an hour are
-- purged as new ones are added.
CREATE TABLE connect_attempts (
  user_id       text NOT NULL,
  kind          text NOT NULL,
  attempted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connect_attempts_user_idx ON connect_attempts (user_id, attempted_at);
CREATE INDEX connect_attempts_at_idx ON connect_attempts (attempted_at);
