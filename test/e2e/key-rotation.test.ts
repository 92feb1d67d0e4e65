import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyring, type KeyringEntry } from '../../src/crypto/keyring';
import { SecretBox } from '../../src/crypto/secret-box';
import { BookingPersonalSeal, PersonalDataUnavailableError } from '../../src/db/booking-personal-data';
import { PgBookingStore } from '../../src/db/bookings';
import { PgCalendarAccountStore } from '../../src/db/calendar-accounts';
import { PgOAuthFlowStore } from '../../src/db/oauth-flows';
import { PgSecretReencryption } from '../../src/db/reencrypt';
import { aad, SecretUnavailableError, type SealedColumn } from '../../src/db/sealed-columns';
import { startHarness, type Harness } from '../support/harness';
import { sealV1 } from '../support/legacy-seal';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function key(id: string): KeyringEntry {
  const r = parseKeyring(`${id}:${randomBytes(32).toString('hex')}`);
  if (!r.ok) throw new Error(r.problems.join());
  return r.keys[0]!;
}

const COLUMNS: SealedColumn[] = ['account_email', 'access_token', 'refresh_token', 'password'];
type Opened = Record<SealedColumn, string | null>;

/** Every sealed column of these connections, opened with `box`; the key ids they were sealed under. */
async function openAll(box: SecretBox, ids: string[]): Promise<{ values: Map<string, Opened>; keyIds: Set<string> }> {
  const { rows } = await h.pool.query<Record<string, string | null> & { id: string }>(
    'SELECT id, account_email_enc, access_token_enc, refresh_token_enc, password_enc FROM calendar_connections WHERE id = ANY($1::uuid[])',
    [ids],
  );
  expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
  const values = new Map<string, Opened>();
  const keyIds = new Set<string>();
  for (const row of rows) {
    const opened = {} as Opened;
    for (const c of COLUMNS) {
      const sealed = row[`${c}_enc`] ?? null;
      if (sealed !== null) keyIds.add(SecretBox.keyIdOf(sealed) ?? '?');
      opened[c] = sealed === null ? null : box.open(sealed, aad(c, row.id));
    }
    values.set(row.id, opened);
  }
  return { values, keyIds };
}

describe('encryption key rotation', () => {
  it('re-encrypts every secret under the newest key while old values stay readable; a missing key is a clear error naming the connection', async () => {
    const oldKeys = h.config.encryptionKeys;
    const google = [];
    for (const user of [h.id('u'), h.id('u')]) google.push(await h.connectGoogle(user));
    // A CalDAV account, for the password column; written as the API stores one.
    const caldav = { username: `${h.id('c')}@caldav.test`, password: `app-${randomBytes(8).toString('hex')}` };
    const { account } = await new PgCalendarAccountStore(h.pool, new SecretBox(oldKeys)).upsertCalDav({
      userId: h.id('u'),
      provider: 'caldav',
      serverUrl: 'https://caldav.invalid/',
      calendarUrl: 'https://caldav.invalid/calendars/x/',
      ...caldav,
    });
    const ids = [...google.map((g) => g.connectionId), account.id];
    const before = await openAll(new SecretBox(oldKeys), ids);
    // What was written, as the test knows it: the accounts it connected, tokens for Google, the password for CalDAV.
    expect(ids.map((id) => before.values.get(id)!.account_email)).toEqual([...google.map((g) => g.email), caldav.username]);
    expect(before.values.get(account.id)).toMatchObject({ password: caldav.password, access_token: null, refresh_token: null });
    for (const g of google)
      expect(before.values.get(g.connectionId)).toMatchObject({
        access_token: expect.stringMatching(/.{8}/),
        refresh_token: expect.stringMatching(/.{8}/),
        password: null,
      });
    expect([...before.keyIds]).toEqual([oldKeys[0]!.id]);

    const newKey = key('rotated');
    const summary = await new PgSecretReencryption(h.pool, new SecretBox([newKey, ...oldKeys])).reencryptAll();
    expect(summary.keyId).toBe('rotated');
    expect(summary.failed.filter((f) => ids.includes(f.connectionId))).toEqual([]);

    // After the old key is dropped, every value opens with the new one alone, and is the value written before.
    const after = await openAll(new SecretBox([newKey]), ids);
    expect([...after.keyIds]).toEqual(['rotated']);
    expect(after.values).toEqual(before.values);
    const onlyNew = new PgCalendarAccountStore(h.pool, new SecretBox([newKey]));
    for (const g of google) {
      expect((await onlyNew.getWithCredentials(g.connectionId))?.credentials).toEqual({
        kind: 'bearer',
        accessToken: before.values.get(g.connectionId)!.access_token,
      });
    }
    // Running it again changes nothing for these rows.
    const again = await new PgSecretReencryption(h.pool, new SecretBox([newKey])).reencryptAll();
    expect(again.failed.filter((f) => ids.includes(f.connectionId))).toEqual([]);
    expect((await openAll(new SecretBox([newKey]), ids)).values).toEqual(before.values);

    // A deployment without the key gets an error that names the connection and the key, never garbage.
    const stale = new PgCalendarAccountStore(h.pool, new SecretBox(oldKeys));
    const err = await stale.getWithCredentials(ids[0]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretUnavailableError);
    expect((err as Error).message).toContain(ids[0]);
    expect((err as Error).message).toContain('"rotated"');
  });

  it('finds rows by the exact key id: "_" in the new key id is not a wildcard that passes over rows under a look-alike old key', async () => {
    // "rot-1" matches the LIKE pattern "v1:rot_1:%" ("_" is any one character): such rows were taken as current.
    const oldKey = key('rot-1');
    const newKey = key('rot_1');
    const store = new PgCalendarAccountStore(h.pool, new SecretBox([oldKey]));
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { account } = await store.upsertCalDav({
        userId: h.id('u'),
        provider: 'caldav',
        serverUrl: 'https://caldav.invalid/',
        calendarUrl: 'https://caldav.invalid/calendars/x/',
        username: `${h.id('c')}@caldav.test`,
        password: `app-${randomBytes(8).toString('hex')}`,
      });
      ids.push(account.id);
    }
    const flows = new PgOAuthFlowStore(h.pool, new SecretBox([oldKey]));
    const flow = await flows.create({ userId: h.id('u'), provider: 'google', ttlMs: 15 * 60_000 });
    await flows.open(flow.id, 'a-pkce-verifier-that-must-be-resealed', 'a-browser-hash');
    const before = await openAll(new SecretBox([oldKey]), ids);
    expect([...before.keyIds]).toEqual(['rot-1']);

    const summary = await new PgSecretReencryption(h.pool, new SecretBox([newKey, oldKey])).reencryptAll();
    expect(summary.failed.filter((f) => ids.includes(f.connectionId))).toEqual([]);
    expect(summary.oauthFlows.reencrypted).toBeGreaterThanOrEqual(1);

    const after = await openAll(new SecretBox([newKey]), ids);
    expect([...after.keyIds]).toEqual(['rot_1']);
    expect(after.values).toEqual(before.values);
    const verifier = await h.pool.query<{ code_verifier_enc: string }>('SELECT code_verifier_enc FROM oauth_flows WHERE id = $1', [
      flow.id,
    ]);
    expect(SecretBox.keyIdOf(verifier.rows[0]!.code_verifier_enc)).toBe('rot_1');
  });

  it('re-seals values of the earlier v1 form (raw key) under the same key as v2 (derived subkey); they open before and after', async () => {
    const current = h.config.encryptionKeys[0]!;
    const box = new SecretBox(h.config.encryptionKeys);
    const store = new PgCalendarAccountStore(h.pool, box);
    const password = `app-${randomBytes(8).toString('hex')}`;
    const username = `${h.id('c')}@caldav.test`;
    const { account } = await store.upsertCalDav({
      userId: h.id('u'),
      provider: 'caldav',
      serverUrl: 'https://caldav.invalid/',
      calendarUrl: 'https://caldav.invalid/calendars/x/',
      username,
      password,
    });
    // As a release before the subkey stored them: v1, under the current key's raw bytes.
    await h.pool.query('UPDATE calendar_connections SET account_email_enc = $2, password_enc = $3 WHERE id = $1', [
      account.id,
      sealV1(current, username, aad('account_email', account.id)),
      sealV1(current, password, aad('password', account.id)),
    ]);
    const stored = async () =>
      (
        await h.pool.query<{ account_email_enc: string; password_enc: string }>(
          'SELECT account_email_enc, password_enc FROM calendar_connections WHERE id = $1',
          [account.id],
        )
      ).rows[0]!;
    expect((await stored()).password_enc.startsWith(`v1:${current.id}:`)).toBe(true);
    expect((await store.getWithCredentials(account.id))?.credentials).toMatchObject({ kind: 'basic', username, password });

    const summary = await new PgSecretReencryption(h.pool, box).reencryptAll();
    expect(summary.failed.filter((f) => f.connectionId === account.id)).toEqual([]);
    const after = await stored();
    expect(after.password_enc.startsWith(`v2:${current.id}:`)).toBe(true);
    expect(after.account_email_enc.startsWith(`v2:${current.id}:`)).toBe(true);
    expect(box.open(after.password_enc, aad('password', account.id))).toBe(password);
    expect((await store.getWithCredentials(account.id))?.credentials).toMatchObject({ kind: 'basic', username, password });
  });

  it("re-seals bookings' personal data under the newest key, and seals bookings still in clear; without the key a read is a typed error", async () => {
    const oldKey = key('bk-old');
    const newKey = key('bk-new');
    const storeWith = (...keys: KeyringEntry[]) => new PgBookingStore(h.pool, new BookingPersonalSeal(new SecretBox(keys)));
    const participants = [{ userId: h.id('u'), role: 'tutor', name: 'Rotated Person', email: 'rotated@example.com' }];
    const sealedId = h.id('bk');
    await storeWith(oldKey).saveProjection({
      bookingId: sealedId,
      status: 'confirmed',
      version: 1,
      revision: 1,
      details: { title: 'Rotated', start: '2030-01-01T10:00:00Z', end: '2030-01-01T11:00:00Z', timeZone: 'UTC', participants },
    });
    // A row of the clear shape (before migration 0027): reencrypt seals it too.
    const clearId = h.id('bk');
    await h.pool.query(
      `INSERT INTO bookings (booking_id, status, version, revision, title, start_at, end_at, time_zone, participants, participant_user_ids)
       VALUES ($1, 'confirmed', 1, 1, 'Clear', '2030-01-02T10:00:00Z', '2030-01-02T11:00:00Z', 'UTC', $2::jsonb, $3)`,
      [clearId, JSON.stringify(participants), [participants[0]!.userId]],
    );
    const before = await storeWith(oldKey).loadView(sealedId, true);
    expect(before).toMatchObject({ title: 'Rotated', participants: [{ name: 'Rotated Person' }] });

    const summary = await new PgSecretReencryption(h.pool, new SecretBox([newKey, oldKey])).reencryptAll();
    expect(summary.bookings.failed.filter((f) => [sealedId, clearId].includes(f.bookingId))).toEqual([]);
    expect(summary.bookings.reencrypted).toBeGreaterThanOrEqual(1);
    expect(summary.bookings.sealed).toBeGreaterThanOrEqual(1);
    const { rows } = await h.pool.query<{ booking_id: string; personal_enc: string; title: string | null }>(
      'SELECT booking_id, personal_enc, title FROM bookings WHERE booking_id = ANY($1) ORDER BY booking_id',
      [[sealedId, clearId]],
    );
    expect(rows.map((r) => [SecretBox.keyIdOf(r.personal_enc), r.title])).toEqual([
      ['bk-new', null],
      ['bk-new', null],
    ]);
    expect(await storeWith(newKey).loadView(sealedId, true)).toEqual(before);
    expect(await storeWith(newKey).loadView(clearId, true)).toMatchObject({ title: 'Clear', participants: [{ name: 'Rotated Person' }] });

    const err = await storeWith(oldKey)
      .loadView(sealedId, true)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PersonalDataUnavailableError);
    expect((err as Error).message).toContain('"bk-new"');
    expect((err as Error).message).not.toContain('Rotated');
  });
});
