import type { NativeConnectionOptions, TLSConfig } from '@temporalio/worker';
import type { TemporalConnection } from './connection-settings';

/** The options both `Connection.connect` (client) and `NativeConnection.connect` (worker) take. */
export type TemporalConnectionOptions = Required<Pick<NativeConnectionOptions, 'address' | 'metadata'>> &
  Pick<NativeConnectionOptions, 'apiKey' | 'tls'>;

/** One source of connection options for the client and the workers, so both reach Temporal the same way. */
export function temporalConnectionOptions(c: TemporalConnection): TemporalConnectionOptions {
  return {
    address: c.address,
    metadata: { ...c.metadata },
    ...(c.apiKey !== undefined ? { apiKey: c.apiKey } : {}),
    tls: c.tls === false ? false : tlsConfig(c.tls),
  };
}

function tlsConfig(tls: Exclude<TemporalConnection['tls'], false>): TLSConfig {
  return {
    ...(tls.serverName !== undefined ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.serverCa !== undefined ? { serverRootCACertificate: tls.serverCa } : {}),
    ...(tls.client !== undefined ? { clientCertPair: { crt: tls.client.cert, key: tls.client.key } } : {}),
  };
}
