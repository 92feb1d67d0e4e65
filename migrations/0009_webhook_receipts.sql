-- Signed booking webhooks: one row per event id, so a redelivered event is acknowledged
-- without being applied twice. `body_sha256` tells a true redelivery from an id reused for
-- different content; `applied_at` is null while the change is being handed to Temporal
-- (a delivery that finds it null re-applies, so a crash in between loses nothing).
CREATE TABLE webhook_receipts (
  id text PRIMARY KEY,
  type text NOT NULL,
  booking_id text NOT NULL,
  body_sha256 text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz
);
CREATE INDEX webhook_receipts_received_at ON webhook_receipts (received_at);
