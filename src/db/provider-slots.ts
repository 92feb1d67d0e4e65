import { randomUUID } from 'node:crypto';
import type { Queryable } from './pool';

export interface SlotLease {
  key: string;
  slot: number;
  holder: string;
}

/** Leases on a provider account's concurrent-request slots, shared by every worker. */
export interface ProviderSlotStore {
  /** Takes one of `slots` leases for `key` (a mailbox), or returns undefined when all are held. */
  tryAcquire(key: string, slots: number, ttlMs: number): Promise<SlotLease | undefined>;
  release(lease: SlotLease): Promise<void>;
}

export class PgProviderSlotStore implements ProviderSlotStore {
  constructor(private readonly db: Queryable) {}

  /** One statement per slot tried: no connection is held while the provider call runs. */
  async tryAcquire(key: string, slots: number, ttlMs: number): Promise<SlotLease | undefined> {
    const holder = randomUUID();
    const first = Math.floor(Math.random() * slots);
    for (let i = 0; i < slots; i++) {
      const slot = (first + i) % slots;
      const { rowCount } = await this.db.query(
        `INSERT INTO provider_slots (key, slot, holder, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
         ON CONFLICT (key, slot) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
          WHERE provider_slots.expires_at < now()`,
        [key, slot, holder, ttlMs],
      );
      if (rowCount === 1) return { key, slot, holder };
    }
    return undefined;
  }

  async release(lease: SlotLease): Promise<void> {
    await this.db.query('DELETE FROM provider_slots WHERE key = $1 AND slot = $2 AND holder = $3', [lease.key, lease.slot, lease.holder]);
  }
}
