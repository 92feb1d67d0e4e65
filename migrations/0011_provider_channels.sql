-- Push channels opened with the providers (Google watch channels, Graph subscriptions). The
-- secret each notification carries is derived from the channel id and ENCRYPTION_KEYS, so none
-- is stored; a channel is found by our id (Google) or the provider's (Graph).
CREATE TABLE provider_channels (
  id uuid PRIMARY KEY,
  connection_id uuid NOT NULL REFERENCES calendar_connections (id) ON DELETE CASCADE,
  provider text NOT NULL,
  external_id text NOT NULL,
  resource_id text,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz
);
CREATE UNIQUE INDEX provider_channels_external ON provider_channels (provider, external_id);
CREATE INDEX provider_channels_open ON provider_channels (connection_id) WHERE closed_at IS NULL;
