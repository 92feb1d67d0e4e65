import type { Pool } from 'pg';
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
  /** BUSY_POLL_INTERVAL in milliseconds. */
  busyPollIntervalMs?: number;
  now?: () => number;
}
