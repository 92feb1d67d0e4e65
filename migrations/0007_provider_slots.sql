-- Leases on per-mailbox request slots (Graph allows 4 concurrent requests per mailbox), shared by
-- every worker. A lease expires on its own, so a crashed worker never holds a slot for long.
CREATE TABLE provider_slots (
  key         text NOT NULL,
  slot        integer NOT NULL,
  holder      text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (key, slot)
);
