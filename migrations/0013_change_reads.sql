-- Incremental calendar reads. Each busy interval belongs to one calendar item, so a read of
-- what changed replaces only that item's intervals; the cursor (Google sync token, Graph
-- deltaLink, CalDAV sync-token) says where the next read starts, for which calendar.
ALTER TABLE busy_intervals ADD COLUMN item_id text NOT NULL DEFAULT '';
CREATE INDEX busy_intervals_connection_item ON busy_intervals (connection_id, item_id);

ALTER TABLE calendar_connections
  ADD COLUMN busy_cursor text,
  ADD COLUMN busy_cursor_calendar text,
  ADD COLUMN busy_full_read_at timestamptz,
  -- When the last applied read began (database clock): our writes recorded since must show up in the next one.
  ADD COLUMN busy_read_started_at timestamptz,
  -- How often the provider had forgotten our cursor and a full read replaced it.
  ADD COLUMN busy_cursor_expiries integer NOT NULL DEFAULT 0;

-- What the user did to one of our events (deleted or moved it), since when, and whether the
-- booking system was told. A successful write of the event clears it.
ALTER TABLE calendar_events
  ADD COLUMN external_state text CHECK (external_state IN ('removed_externally', 'moved_externally')),
  ADD COLUMN external_changed_at timestamptz,
  ADD COLUMN external_reported_at timestamptz;

-- Bookings found overlapping a user's other (external) busy time, already reported.
CREATE TABLE reported_conflicts (
  connection_id uuid NOT NULL REFERENCES calendar_connections (id) ON DELETE CASCADE,
  booking_id text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  reported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, booking_id, starts_at, ends_at)
);
