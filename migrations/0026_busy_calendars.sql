-- Busy times from several calendars of an account. Which calendars count for conflicts is the
-- user's choice (NULL: the default, the primary calendar and the one events are written to);
-- each counted calendar is read on its own, with its own cursor, window and error.
ALTER TABLE calendar_connections ADD COLUMN busy_calendar_ids text[];

CREATE TABLE busy_calendars (
  connection_id uuid NOT NULL REFERENCES calendar_connections (id) ON DELETE CASCADE,
  -- The provider's calendar id, as calendar_connections.calendar_id stores it.
  calendar_id text NOT NULL,
  -- Counts for conflicts. The calendar events are written to is read even when it does not: the
  -- read tells when the user deletes or moves one of our events.
  counts boolean NOT NULL DEFAULT true,
  -- Where the next incremental read starts (Google sync token, Graph deltaLink, CalDAV sync-token).
  cursor text,
  -- The window the last full read covered: outside it nothing is known of this calendar.
  window_from timestamptz,
  window_to timestamptz,
  full_read_at timestamptz,
  -- When the last applied read began (database clock): a read that began earlier is dropped.
  read_started_at timestamptz,
  synced_at timestamptz,
  error text,
  -- How often the provider had forgotten our cursor and a full read replaced it.
  cursor_expiries integer NOT NULL DEFAULT 0,
  PRIMARY KEY (connection_id, calendar_id)
);

-- What was read so far belonged to the calendar the cursor was for.
INSERT INTO busy_calendars (connection_id, calendar_id, cursor, window_from, window_to, full_read_at, read_started_at, synced_at, error, cursor_expiries)
SELECT id, busy_cursor_calendar, busy_cursor, busy_window_from, busy_window_to, busy_full_read_at, busy_read_started_at, busy_synced_at, busy_error, busy_cursor_expiries
  FROM calendar_connections
 WHERE busy_cursor_calendar IS NOT NULL;

-- Item ids are unique per calendar only (an invitation shows up in two calendars under one id).
ALTER TABLE busy_intervals ADD COLUMN calendar_id text;
UPDATE busy_intervals b SET calendar_id = c.busy_cursor_calendar FROM calendar_connections c WHERE c.id = b.connection_id;
DELETE FROM busy_intervals WHERE calendar_id IS NULL;
ALTER TABLE busy_intervals ALTER COLUMN calendar_id SET NOT NULL;
DROP INDEX busy_intervals_connection_item;
CREATE INDEX busy_intervals_calendar_item ON busy_intervals (connection_id, calendar_id, item_id);

ALTER TABLE calendar_connections
  DROP COLUMN busy_synced_at,
  DROP COLUMN busy_window_from,
  DROP COLUMN busy_window_to,
  DROP COLUMN busy_error,
  DROP COLUMN busy_cursor,
  DROP COLUMN busy_cursor_calendar,
  DROP COLUMN busy_full_read_at,
  DROP COLUMN busy_read_started_at,
  DROP COLUMN busy_cursor_expiries;
