import type { Pool } from 'pg';

/** settings_link_generations: which generation of a user's settings links and sessions is valid. */
export interface SettingsLinkStore {
  /** The current generation (0 until the first revocation). */
  generation(userId: string): Promise<number>;
  /** Revokes every link and session issued so far; returns the new generation. */
  revoke(userId: string): Promise<number>;
}

export class PgSettingsLinkStore implements SettingsLinkStore {
  constructor(private readonly pool: Pool) {}

  async generation(userId: string): Promise<number> {
    const { rows } = await this.pool.query<{ generation: number }>('SELECT generation FROM settings_link_generations WHERE user_id = $1', [
      userId,
    ]);
    return rows[0]?.generation ?? 0;
  }

  async revoke(userId: string): Promise<number> {
    const { rows } = await this.pool.query<{ generation: number }>(
      `INSERT INTO settings_link_generations (user_id, generation) VALUES ($1, 1)
       ON CONFLICT (user_id) DO UPDATE SET generation = settings_link_generations.generation + 1, revoked_at = now()
       RETURNING generation`,
      [userId],
    );
    return rows[0]!.generation;
  }
}
