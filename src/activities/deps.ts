import type { Pool } from 'pg';
import type { ChannelSecrets } from '../crypto/channel-secret';
import type { ConnectionStore } from '../db/connections';
import type { Reminder } from '../events/reminders';
import type { Logger } from '../logging';
import type { ProviderRegistry } from '../providers';

/** What activities need from the process that hosts them; built once per worker. */
export interface ActivityDeps {
  pool: Pool;
  connections: ConnectionStore;
  providers: ProviderRegistry;
  reminders: Reminder[];
  logger: Logger;
  /** Push channels: off, or where notifications go and how they are authenticated. */
  push?: { publicBaseUrl: string; ttlMs?: number; secrets: ChannelSecrets };
  /** Events for the booking system: where they go, the HMAC key they are signed with, how long to retry. */
  notify?: { url: string; secret: string; retryForMs: number };
  /** BUSY_POLL_INTERVAL in milliseconds. */
  busyPollIntervalMs?: number;
  /** EXTERNAL_EDIT_POLICY: leave the user's deletions and moves of our events (respect) or undo them (restore). */
  externalEditPolicy?: 'respect' | 'restore';
  now?: () => number;
}
