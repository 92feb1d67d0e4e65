-- Erased users: a record without personal data. The user is named only by an HMAC of their id
-- under a key derived from ENCRYPTION_KEYS (key_id says which), so the table cannot be searched by
-- guessing ids without the key; `counts` holds how many of each kind of row went.
CREATE TABLE user_erasures (
  subject_hash  text PRIMARY KEY,
  key_id        text NOT NULL,
  remove_events boolean NOT NULL,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  erased_at     timestamptz,
  counts        jsonb
);

-- Erasure finds a user's audit rows; retention deletes old rows by age.
CREATE INDEX sync_log_user_idx ON sync_log (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX sync_log_at_idx ON sync_log (at);
CREATE INDEX notifications_created_idx ON notifications (created_at);
CREATE INDEX bookings_end_idx ON bookings (end_at);
