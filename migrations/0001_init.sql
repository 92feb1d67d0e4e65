-- Calendars users connected. Tokens and the account e-mail are sealed (AES-256-GCM, see src/crypto).
CREATE TABLE calendar_connections (
  id                 uuid PRIMARY KEY,
  user_id            text NOT NULL,
  provider           text NOT NULL CHECK (provider IN ('google', 'microsoft', 'caldav', 'icloud')),
  status             text NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'needs_reauth', 'error', 'disconnected')),
  account_email_enc  text,
  access_token_enc   text,
  refresh_token_enc  text,
  token_expires_at   timestamptz,
  -- Bumped on every refresh, so a caller can tell whether someone else refreshed since it looked.
  token_version      integer NOT NULL DEFAULT 0,
  calendar_id        text NOT NULL DEFAULT 'primary',
  sync_enabled       boolean NOT NULL DEFAULT true,
  last_synced_at     timestamptz,
  last_error         text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calendar_connections_user_idx ON calendar_connections (user_id);

-- Latest known state of each booking, written by its workflow (for bulk sync and reads).
CREATE TABLE bookings (
  booking_id            text PRIMARY KEY,
  status                text NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
  version               bigint,
  -- The workflow's own change counter: a late write of an older revision never wins.
  revision              integer NOT NULL,
  title                 text NOT NULL,
  description           text,
  start_at              timestamptz NOT NULL,
  end_at                timestamptz NOT NULL,
  time_zone             text NOT NULL,
  location              text,
  meeting_url           text,
  participants          jsonb NOT NULL,
  participant_user_ids  text[] NOT NULL,
  cancel_reason         text,
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bookings_participants_idx ON bookings USING gin (participant_user_ids);
CREATE INDEX bookings_confirmed_start_idx ON bookings (start_at) WHERE status = 'confirmed';

-- One row per (calendar, booking): the event this service keeps there.
CREATE TABLE calendar_events (
  connection_id      uuid NOT NULL REFERENCES calendar_connections (id) ON DELETE CASCADE,
  booking_id         text NOT NULL,
  user_id            text NOT NULL,
  provider           text NOT NULL,
  external_event_id  text,
  etag               text,
  state              text NOT NULL CHECK (state IN ('synced', 'deleted', 'failed')),
  revision           integer NOT NULL,
  last_error         text,
  synced_at          timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, booking_id)
);
CREATE INDEX calendar_events_booking_idx ON calendar_events (booking_id);

-- Audit: every calendar operation, who, what, when and how it ended.
CREATE TABLE sync_log (
  id                 bigserial PRIMARY KEY,
  at                 timestamptz NOT NULL DEFAULT now(),
  booking_id         text,
  user_id            text,
  connection_id      uuid,
  provider           text,
  operation          text NOT NULL,
  outcome            text NOT NULL,
  revision           integer,
  external_event_id  text,
  detail             text
);
CREATE INDEX sync_log_booking_idx ON sync_log (booking_id, at);
CREATE INDEX sync_log_connection_idx ON sync_log (connection_id, at);
