import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';
import { BookingPersonalSeal } from '../../src/db/booking-personal-data';
import { PgBookingStore } from '../../src/db/bookings';
import { PgCalendarAccountStore } from '../../src/db/calendar-accounts';
import { createPool } from '../../src/db/pool';
import { PgProviderBudgetStore, type ProviderPaces } from '../../src/db/provider-budget';
import { countQueries } from '../../src/db/query-count';
import type { BookingProjection } from '../../src/domain/booking';

// The repository methods that give a booking change fewer round trips, against PostgreSQL: each
// is one statement, and does what the separate statements it replaces did.

let pool: Pool;
let statements: string[] = [];
let bookings: PgBookingStore;
let accounts: PgCalendarAccountStore;
const box = new SecretBox([{ id: 'trips', key: randomBytes(32) }]);

beforeAll(() => {
  pool = createPool(inject('databaseUrl'), 2);
  countQueries(pool, (kind) => statements.push(kind));
  bookings = new PgBookingStore(pool, new BookingPersonalSeal(box));
  accounts = new PgCalendarAccountStore(pool, box);
});

afterAll(async () => {
  await pool?.end();
});

/** The statements `work` sent, and what it returned. */
async function counted<T>(work: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
  statements = [];
  const result = await work();
  return { result, sent: statements };
}

const uid = (what: string) => `${what}-${randomUUID()}`;

function projection(bookingId: string, revision: number, title: string, userIds: string[]): BookingProjection {
  return {
    bookingId,
    status: 'confirmed',
    version: revision,
    revision,
    details: {
      title,
      start: '2031-01-02T10:00:00Z',
      end: '2031-01-02T11:00:00Z',
      timeZone: 'UTC',
      participants: userIds.map((userId) => ({ userId, role: 'tutor', name: userId, email: `${userId}@example.com` })),
    },
  };
}

async function connect(userId: string, provider: 'google' | 'caldav' = 'google') {
  if (provider === 'caldav') {
    const stored = await accounts.upsertCalDav({
      userId,
      provider: 'caldav',
      serverUrl: 'https://dav.example.com/',
      calendarUrl: 'https://dav.example.com/cal/',
      username: `${userId}@example.com`,
      password: 'app-password',
    });
    return stored.account;
  }
  return accounts.insertOAuth({
    userId,
    provider,
    calendarId: 'primary',
    accountEmail: `${userId}@example.com`,
    accessToken: `access-${userId}`,
    refreshToken: `refresh-${userId}`,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
}

const stored = async (bookingId: string) =>
  (await pool.query<{ revision: number; status: string }>('SELECT revision, status FROM bookings WHERE booking_id = $1', [bookingId]))
    .rows[0];

describe('PgBookingStore.prepareReconcile: the prior, the projection and the accounts in one statement', () => {
  it('first pass of a booking the database does not know: saves it and lists the users’ accounts that are not disconnected', async () => {
    const [ada, bob, cy] = [uid('ada'), uid('bob'), uid('cy')];
    const adaAccount = await connect(ada);
    const bobAccount = await connect(bob);
    const gone = await connect(cy);
    await accounts.markDisconnected(gone.id);
    const bookingId = uid('bk');
    const { result, sent } = await counted(() =>
      bookings.prepareReconcile({
        bookingId,
        userIds: [ada, bob, cy],
        projection: projection(bookingId, 1, 'Maths', [ada, bob, cy]),
        firstPass: true,
      }),
    );
    expect(sent).toEqual(['with bookings']);
    expect(result.prior).toBeNull();
    expect(result.accounts.map((a) => [a.id, a.userId, a.status])).toEqual([
      [adaAccount.id, ada, 'active'],
      [bobAccount.id, bob, 'active'],
    ]);
    // The rows come back as listForUsers gives them.
    expect(result.accounts).toEqual(await accounts.listForUsers([ada, bob, cy]));
    expect(await stored(bookingId)).toEqual({ revision: 1, status: 'confirmed' });
    expect((await bookings.loadView(bookingId))?.title).toBe('Maths');
  });

  it('first pass of a booking an earlier workflow left: returns it, writes nothing even of a newer revision, lists nothing', async () => {
    const ada = uid('ada');
    await connect(ada);
    const bookingId = uid('bk');
    await bookings.saveProjection({ ...projection(bookingId, 3, 'Before', [ada]), status: 'cancelled' });
    const { result, sent } = await counted(() =>
      bookings.prepareReconcile({ bookingId, userIds: [ada], projection: projection(bookingId, 9, 'After', [ada]), firstPass: true }),
    );
    expect(sent).toHaveLength(1);
    expect(result).toEqual({ prior: { status: 'cancelled', revision: 3 }, accounts: [] });
    expect(await stored(bookingId)).toEqual({ revision: 3, status: 'cancelled' });
    expect((await bookings.loadView(bookingId))?.title).toBe('Before');
  });

  it('later passes: a newer revision is saved, an older one (a late retry) changes nothing, the booking’s own row is no prior', async () => {
    const ada = uid('ada');
    const account = await connect(ada);
    const bookingId = uid('bk');
    await bookings.saveProjection(projection(bookingId, 2, 'Two', [ada]));
    const newer = await bookings.prepareReconcile({
      bookingId,
      userIds: [ada],
      projection: projection(bookingId, 3, 'Three', [ada]),
      firstPass: false,
    });
    expect(newer).toEqual({ prior: null, accounts: [expect.objectContaining({ id: account.id })] });
    expect((await bookings.loadView(bookingId))?.title).toBe('Three');
    const late = await bookings.prepareReconcile({
      bookingId,
      userIds: [ada],
      projection: projection(bookingId, 2, 'Two again', [ada]),
      firstPass: false,
    });
    expect(late.accounts.map((a) => a.id)).toEqual([account.id]);
    expect(await stored(bookingId)).toMatchObject({ revision: 3 });
    expect((await bookings.loadView(bookingId))?.title).toBe('Three');
  });

  it('without a projection nothing is written; with no account, the answer lists none', async () => {
    const bookingId = uid('bk');
    const { result, sent } = await counted(() => bookings.prepareReconcile({ bookingId, userIds: [uid('nobody')], firstPass: true }));
    expect(sent).toHaveLength(1);
    expect(result).toEqual({ prior: null, accounts: [] });
    expect(await stored(bookingId)).toBeUndefined();
  });
});

describe('PgCalendarAccountStore.getWithCredentialsTakingToken: the account and a request token in one statement', () => {
  const paces: ProviderPaces = {
    google: { perSecond: 0.001, burst: 2 },
    microsoft: { perSecond: 0.001, burst: 2 },
    caldav: { perSecond: 0.001, burst: 1 },
    icloud: { perSecond: 0.001, burst: 1 },
  };
  const tokensOf = async (key: string) =>
    (await pool.query<{ tokens: number }>('SELECT tokens FROM provider_request_budget WHERE key = $1', [key])).rows[0]?.tokens;

  it('opens the credentials as getWithCredentials does and takes tokens at the pace of the account’s provider, until none is left', async () => {
    const account = await connect(uid('ada'));
    const key = `connection:${account.id}`;
    const { result, sent } = await counted(() => accounts.getWithCredentialsTakingToken(account.id, key, paces));
    expect(sent).toEqual(['with calendar_connections']);
    expect(result).toEqual({ ...(await accounts.getWithCredentials(account.id)), tokenTaken: true });
    expect(result?.credentials).toEqual({ kind: 'bearer', accessToken: `access-${account.userId}` });
    expect(await tokensOf(key)).toBeCloseTo(1, 2);
    expect((await accounts.getWithCredentialsTakingToken(account.id, key, paces))?.tokenTaken).toBe(true);
    const spent = await accounts.getWithCredentialsTakingToken(account.id, key, paces);
    expect(spent).toMatchObject({ account: { id: account.id }, tokenTaken: false });
    expect(await tokensOf(key)).toBeLessThan(1);
  });

  it('a CalDAV account’s bucket holds the CalDAV burst; its app password is opened', async () => {
    const account = await connect(uid('cy'), 'caldav');
    const key = `connection:${account.id}`;
    const first = await accounts.getWithCredentialsTakingToken(account.id, key, paces);
    expect(first).toMatchObject({ tokenTaken: true, credentials: { kind: 'basic', password: 'app-password' } });
    expect((await accounts.getWithCredentialsTakingToken(account.id, key, paces))?.tokenTaken).toBe(false);
  });

  it('shares the bucket with tryTake', async () => {
    const account = await connect(uid('dee'));
    const key = `connection:${account.id}`;
    await accounts.getWithCredentialsTakingToken(account.id, key, paces);
    const budget = new PgProviderBudgetStore(pool);
    expect(await budget.tryTake(key, 0.001, 2)).toBe(true);
    expect(await budget.tryTake(key, 0.001, 2)).toBe(false);
    expect((await accounts.getWithCredentialsTakingToken(account.id, key, paces))?.tokenTaken).toBe(false);
  });

  it('gives out no more than the burst at once, whichever worker asks', async () => {
    const account = await connect(uid('gus'));
    const key = `connection:${account.id}`;
    const other = createPool(inject('databaseUrl'), 3);
    try {
      const stores = [accounts, new PgCalendarAccountStore(other, box)];
      const taken = await Promise.all(
        Array.from(
          { length: 10 },
          async (_, i) => (await stores[i % 2]!.getWithCredentialsTakingToken(account.id, key, paces))?.tokenTaken,
        ),
      );
      // Google's burst of 2 here; a token a thousand seconds: none comes back during the test.
      expect(taken.filter(Boolean)).toHaveLength(2);
    } finally {
      await other.end();
    }
  });

  it('takes no token for an account that needs re-authentication or is disconnected, nor for one that does not exist', async () => {
    const reauth = await connect(uid('eve'));
    await pool.query(`UPDATE calendar_connections SET status = 'needs_reauth' WHERE id = $1`, [reauth.id]);
    const gone = await connect(uid('fay'));
    await accounts.markDisconnected(gone.id);
    for (const id of [reauth.id, gone.id]) {
      const key = `connection:${id}`;
      const loaded = await accounts.getWithCredentialsTakingToken(id, key, paces);
      expect(loaded).toMatchObject({ account: { id }, tokenTaken: false });
      expect(await tokensOf(key)).toBeUndefined();
    }
    const missing = randomUUID();
    expect(await accounts.getWithCredentialsTakingToken(missing, `connection:${missing}`, paces)).toBeUndefined();
    expect(await tokensOf(`connection:${missing}`)).toBeUndefined();
  });
});
