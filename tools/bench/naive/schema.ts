import type { Pool } from 'pg';

/** The seeds' two tables, in the bench database beside the service's (names kept apart). */
export async function createNaiveTables(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS naive_calendar_connections (
      profile_id text PRIMARY KEY,
      access_token text NOT NULL,
      status text NOT NULL DEFAULT 'active',
      last_error text
    );
    CREATE TABLE IF NOT EXISTS naive_calendar_events (
      booking_id text NOT NULL,
      profile_id text NOT NULL,
      external_event_id text NOT NULL,
      synced_at timestamptz NOT NULL DEFAULT now()
    );`);
}
