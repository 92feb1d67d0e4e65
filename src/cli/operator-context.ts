import { Client, type Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { ConfigError, loadConfig, type AppConfig } from '../config';
import { createPool } from '../db/pool';
import { connectClient } from '../temporal/connect';
import { dataConverter } from '../temporal/data-converter';
import { EncryptionCodec } from '../temporal/payload-codec';

/** What an operator command works with: the service's configuration, its database, and Temporal when it needs it. */
export interface OperatorContext {
  config: AppConfig;
  pool: Pool;
  /** Connects on first use, as the service's client does (same address, TLS, namespace and payload codec). */
  temporal: () => Promise<Client>;
}

/**
 * Runs `work` with the service's configuration read from `env` (the same variables the service
 * reads), then closes what it opened, whatever the outcome.
 */
export async function withOperatorContext<T>(env: NodeJS.ProcessEnv, work: (context: OperatorContext) => Promise<T>): Promise<T> {
  const config = loadConfig(env);
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL is required']);
  const pool = createPool(config.databaseUrl, 2);
  let connection: Connection | undefined;
  let client: Client | undefined;
  try {
    return await work({
      config,
      pool,
      async temporal() {
        if (client) return client;
        connection = await connectClient(config.temporal);
        const codec = new EncryptionCodec(config.encryptionKeys, { plainAcceptedUntilMs: config.payloadPlaintextAcceptedUntilMs });
        client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverter(codec) });
        return client;
      },
    });
  } finally {
    await connection?.close();
    await pool.end();
  }
}
