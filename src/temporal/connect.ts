import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConnection } from './connection-settings';
import { temporalConnectionOptions } from './connection-options';
import { diagnoseConnection } from './tls-diagnosis';

/** Temporal could not be reached at start-up; the message says why in terms of the configuration. */
export class TemporalConnectError extends Error {
  readonly code = 'temporal_unreachable';
  constructor(message: string) {
    super(message);
    this.name = 'TemporalConnectError';
  }
}

/** The client's connection (API and workflow starts). */
export function connectClient(c: TemporalConnection): Promise<Connection> {
  return explained(c, () => Connection.connect(temporalConnectionOptions(c)));
}

/** The workers' connection (Temporal Core). */
export function connectWorker(c: TemporalConnection): Promise<NativeConnection> {
  return explained(c, () => NativeConnection.connect(temporalConnectionOptions(c)));
}

async function explained<T>(c: TemporalConnection, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (err) {
    const reason = await diagnoseConnection(c).catch(() => undefined);
    const detail = err instanceof Error ? err.message : String(err);
    throw new TemporalConnectError(`Cannot connect to Temporal at ${c.address} (namespace ${c.namespace}): ${reason ?? detail}`);
  }
}
