import type { Pool } from 'pg';

export interface ProviderChannel {
  id: string;
  connectionId: string;
  provider: string;
  externalId: string;
  resourceId: string | null;
  expiresAt: Date;
}

interface Row {
  id: string;
  connection_id: string;
  provider: string;
  external_id: string;
  resource_id: string | null;
  expires_at: Date;
}

const toChannel = (r: Row): ProviderChannel => ({
  id: r.id,
  connectionId: r.connection_id,
  provider: r.provider,
  externalId: r.external_id,
  resourceId: r.resource_id,
  expiresAt: r.expires_at,
});

/** Push channels per calendar account (migration 0011). */
export interface ProviderChannelStore {
  add(channel: ProviderChannel): Promise<void>;
  /** An open, unexpired channel by the id notifications name (ours for Google, the subscription id for Graph). */
  findOpen(provider: string, externalId: string): Promise<ProviderChannel | undefined>;
  listOpen(accountId: string): Promise<ProviderChannel[]>;
  markClosed(id: string): Promise<void>;
}

export class PgProviderChannelStore implements ProviderChannelStore {
  constructor(private readonly pool: Pool) {}

  async add(channel: ProviderChannel): Promise<void> {
    await this.pool.query(
      `INSERT INTO provider_channels (id, connection_id, provider, external_id, resource_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [channel.id, channel.connectionId, channel.provider, channel.externalId, channel.resourceId, channel.expiresAt],
    );
  }

  async findOpen(provider: string, externalId: string): Promise<ProviderChannel | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM provider_channels WHERE provider = $1 AND external_id = $2 AND closed_at IS NULL AND expires_at > now()`,
      [provider, externalId],
    );
    return rows[0] ? toChannel(rows[0]) : undefined;
  }

  async listOpen(accountId: string): Promise<ProviderChannel[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM provider_channels WHERE connection_id = $1 AND closed_at IS NULL ORDER BY created_at`,
      [accountId],
    );
    return rows.map(toChannel);
  }

  async markClosed(id: string): Promise<void> {
    await this.pool.query(`UPDATE provider_channels SET closed_at = now() WHERE id = $1 AND closed_at IS NULL`, [id]);
  }
}
