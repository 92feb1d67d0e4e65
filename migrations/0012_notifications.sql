-- Events sent to the booking system (NOTIFY_URL): one row per event, its id doubling as the
-- idempotency key the receiver sees; delivery state kept for GET /v1/notifications.
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  data jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX notifications_status_created ON notifications (status, created_at);
