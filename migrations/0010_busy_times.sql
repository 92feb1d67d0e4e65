-- Busy times read from each connected calendar (events this service did not write), replaced
-- wholesale on every read of the connection's window, and when that read last succeeded.
CREATE TABLE busy_intervals (
  connection_id uuid NOT NULL REFERENCES calendar_connections (id) ON DELETE CASCADE,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL
);
CREATE INDEX busy_intervals_connection_start ON busy_intervals (connection_id, starts_at);

ALTER TABLE calendar_connections
  ADD COLUMN busy_synced_at timestamptz,
  ADD COLUMN busy_window_from timestamptz,
  ADD COLUMN busy_window_to timestamptz,
  ADD COLUMN busy_error text;
