import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseKeyring, type KeyringEntry } from '../../src/crypto/keyring';
import { SecretBox } from '../../src/crypto/secret-box';
import { PgCalendarAccountStore } from '../../src/db/calendar-accounts';
import { createPool } from '../../src/db/pool';

// A user's calendar accounts whose stored names were sealed under a key this deployment no longer
// has: connecting or reconnecting another account of the user still works (it used to fail with
// the unreadable row's SecretUnavailableError, a 500).

const pool = createPool(inject('databaseUrl'), 3);
afterAll(async () => {
  await pool.end();
});

function key(id: string): KeyringEntry {
  const parsed = parseKeyring(`${id}:${randomBytes(32).toString('hex')}`);
  if (!parsed.ok) throw new Error(parsed.problems.join());
  return parsed.keys[0]!;
}

const SERVER = 'https://dav.example.com/';
const caldav = (userId: string, username: string) => ({
  userId,
  provider: 'caldav' as const,
  serverUrl: SERVER,
  calendarUrl: `${SERVER}${username}/calendar/`,
  username,
  password: 'app-password',
});

describe('calendar accounts whose stored names cannot be read (PostgreSQL)', () => {
  it('CalDAV: another account of the user connects and reconnects beside one sealed under a lost key', async () => {
    const userId = `u-${randomUUID()}`;
    const before = new PgCalendarAccountStore(pool, new SecretBox([key('old')]));
    const lost = (await before.upsertCalDav(caldav(userId, 'ada'))).account;
    // The deployment now has another key only: the first account's name cannot be opened.
    const store = new PgCalendarAccountStore(pool, new SecretBox([key('new')]));

    const other = await store.upsertCalDav(caldav(userId, 'grace'));
    expect(other.created).toBe(true);
    expect(other.account.id).not.toBe(lost.id);
    expect(await store.reconnectCalDav(other.account.id, { serverUrl: SERVER, username: 'grace', password: 'new-password' })).toMatchObject(
      {
        id: other.account.id,
        status: 'active',
      },
    );
    // The unreadable one itself is healed by its reconnect, which seals it again under the current key.
    const healed = await store.reconnectCalDav(lost.id, { serverUrl: SERVER, username: 'ada', password: 'again' });
    expect(healed).toMatchObject({ id: lost.id, status: 'active' });
    expect((await store.getWithCredentials(lost.id))?.credentials).toMatchObject({ kind: 'basic', username: 'ada', password: 'again' });
  });

  it('OAuth: a grant for another account of the user is its own row while more than one of the user’s accounts cannot be read', async () => {
    const userId = `u-${randomUUID()}`;
    const before = new PgCalendarAccountStore(pool, new SecretBox([key('old')]));
    const grant = (email: string) => ({
      userId,
      provider: 'google' as const,
      calendarId: 'primary',
      accountEmail: email,
      accessToken: 'access',
      refreshToken: 'refresh',
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const first = (await before.upsertOAuth(grant('a@example.com'))).account;
    const second = (await before.upsertOAuth(grant('b@example.com'))).account;
    const store = new PgCalendarAccountStore(pool, new SecretBox([key('new')]));
    // Two unreadable: which one this grant reconnects cannot be told, so it is a new connection.
    const third = await store.upsertOAuth(grant('a@example.com'));
    expect(third.created).toBe(true);
    expect([first.id, second.id]).not.toContain(third.account.id);
    // Now readable, it is matched by its address as any account is.
    expect((await store.upsertOAuth(grant('a@example.com'))).account.id).toBe(third.account.id);
  });
});
