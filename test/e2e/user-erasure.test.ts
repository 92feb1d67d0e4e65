import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';
import { aad } from '../../src/db/sealed-columns';
import type { BookingView } from '../../src/domain/booking';
import { confirmBody, eventsFor, getBooking, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, TEST_CLIENT, type Harness } from '../support/harness';
import { startNotifyReceiver } from '../support/notify-receiver';

interface ErasureJson {
  userId: string;
  status: 'erasing' | 'erased';
  removeEvents: boolean;
  connections: number;
  erased?: Record<string, number>;
}

let h: Harness;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
beforeAll(async () => {
  receiver = await startNotifyReceiver();
  // Notifications name users (connection.connected): erasure must find them too.
  h = await startHarness({ NOTIFY_URL: receiver.url });
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

/** Every row of every table of the public schema whose text holds `needle`. */
async function rowsNaming(needle: string): Promise<string[]> {
  const { rows: tables } = await h.pool.query<{ name: string }>(
    `SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['bookings', 'sync_log', 'notifications', 'calendar_connections']));
  const found: string[] = [];
  for (const { name } of tables) {
    const { rows } = await h.pool.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t WHERE strpos(t::text, $1) > 0`, [needle]);
    found.push(...rows.map((r) => `${name}: ${r.row}`));
  }
  return found;
}

/** Asks for the erasure until it answers `erased` (each ask is a repeat, which must be harmless). */
async function erasedAnswer(userId: string, removeEvents: boolean): Promise<ErasureJson> {
  return eventually(async () => {
    const res = await h.api<ErasureJson>('DELETE', `/v1/users/${userId}?removeEvents=${removeEvents}`);
    expect([200, 202]).toContain(res.status);
    return res.body.status === 'erased' ? res.body : undefined;
  }, `${userId} erased`);
}

/** The Google grant still works: a refresh with the stored refresh token is accepted. */
async function refreshAccepted(refreshToken: string): Promise<boolean> {
  const res = await fetch(h.config.google.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: TEST_CLIENT.id,
      client_secret: TEST_CLIENT.secret,
    }),
  });
  return res.ok;
}

describe('DELETE /v1/users/:userId', () => {
  it('erases one of two users of a shared booking, across a service restart mid-erasure, and leaves no row naming them', async () => {
    const adaId = h.id('ada');
    const bobId = h.id('bob');
    const ada: TestParticipant = { userId: adaId, role: 'tutor', name: `Ada ${adaId}`, email: `${adaId}@mail.example.com` };
    const bob: TestParticipant = { userId: bobId, role: 'client', name: `Bob ${bobId}`, email: `${bobId}@mail.example.com` };
    const google = await h.connectGoogle(adaId);
    const outlook = await h.connectMicrosoft(bobId, `${bobId}@contoso.test`);
    const bookingId = h.id('bk');
    const title = `Lesson ${bookingId}`;
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([ada, bob], { title }))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    const bobsEvents = async () => (await h.microsoft.listEvents(outlook.email)).filter((e) => e.subject?.startsWith(title));
    expect(await eventsFor(h, google.email, bookingId)).toHaveLength(1);
    expect((await bobsEvents())[0]?.body.content).toContain(ada.name);
    // More of Ada's data: a feed link, a settings link, a connect notification.
    expect((await h.api('POST', `/v1/users/${adaId}/feed-links`)).status).toBe(201);
    const settingsLink = await h.api<{ url: string }>('POST', `/v1/users/${adaId}/settings-links`);
    expect(settingsLink.status).toBe(201);
    expect((await fetch(settingsLink.body.url, { redirect: 'manual' })).status).not.toBe(401);
    await eventually(
      async () => ((await h.pool.query(`SELECT 1 FROM notifications WHERE data->>'userId' = $1`, [adaId])).rowCount ? true : undefined),
      'a notification naming Ada',
    );
    expect((await rowsNaming(adaId)).length).toBeGreaterThan(5);
    const { rows } = await h.pool.query<{ refresh_token_enc: string }>('SELECT refresh_token_enc FROM calendar_connections WHERE id = $1', [
      google.connectionId,
    ]);
    const refreshToken = new SecretBox(h.config.encryptionKeys).open(rows[0]!.refresh_token_enc, aad('refresh_token', google.connectionId));
    expect(await refreshAccepted(refreshToken)).toBe(true);

    // Each removal from Ada's calendar is slow, so the erasure is still running when the service restarts.
    await h.google.addFault({ method: 'DELETE', path: '/events/', account: google.email, latencyMs: 4_000, times: 'always' });
    const first = await h.api<ErasureJson>('DELETE', `/v1/users/${adaId}?removeEvents=true`);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ userId: adaId, status: 'erasing', removeEvents: true, connections: 1 });
    await h.restart({});
    await h.google.clearFaults();
    const done = await erasedAnswer(adaId, true);
    expect(done).toMatchObject({ userId: adaId, status: 'erased', removeEvents: true });

    // Ada's event is gone from her calendar and her grant is revoked; Bob's event stays, without Ada in it.
    expect(await eventsFor(h, google.email, bookingId)).toHaveLength(0);
    expect(await refreshAccepted(refreshToken)).toBe(false);
    const bobs = await eventually(async () => {
      const events = await bobsEvents();
      return events.length === 1 && !events[0]!.body.content.includes(ada.name) ? events : undefined;
    }, "Bob's event rewritten without Ada");
    expect(bobs[0]!.body.content).toContain('Library room 2');

    // No row anywhere names her, by id, name or e-mail; Bob's rows are still there.
    const view = await settled(h, bookingId, (v) => !v.participants.some((p) => p.userId === adaId));
    expect(view.participants.map((p) => p.userId)).toEqual([bobId]);
    expect(view.calendars.map((c) => c.userId)).toEqual([bobId]);
    expect(JSON.stringify(view satisfies BookingView)).not.toContain(adaId);
    for (const needle of [adaId, ada.name, ada.email, google.email]) expect(await rowsNaming(needle)).toEqual([]);
    expect(await rowsNaming(bobId)).not.toEqual([]);
    const audit = await h.pool.query<{ erased_at: Date | null }>('SELECT erased_at FROM user_erasures');
    expect(audit.rows.some((r) => r.erased_at !== null)).toBe(true);

    // The settings link minted before the erasure no longer opens her settings.
    const opened = await fetch(settingsLink.body.url, { redirect: 'manual' });
    expect(opened.status).toBe(401);

    // Asking again is harmless: nothing left to do, and still nothing names her.
    const again = await h.api<ErasureJson>('DELETE', `/v1/users/${adaId}?removeEvents=true`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'erased', connections: 0 });
    expect(Object.values(again.body.erased ?? {}).every((n) => n === 0)).toBe(true);
    expect(await rowsNaming(adaId)).toEqual([]);
    expect((await getBooking(h, bookingId)).participants.map((p) => p.userId)).toEqual([bobId]);
  });

  it('erasing a user the service never saw answers erased with nothing removed', async () => {
    const res = await h.api<ErasureJson>('DELETE', `/v1/users/${h.id('nobody')}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'erased', removeEvents: false, connections: 0 });
    expect(Object.values(res.body.erased ?? {}).every((n) => n === 0)).toBe(true);
  });

  it('refuses a malformed user id or removeEvents value, changing nothing', async () => {
    expect((await h.api('DELETE', `/v1/users/${encodeURIComponent('bad id!')}`)).status).toBe(400);
    expect((await h.api('DELETE', `/v1/users/${h.id('u')}?removeEvents=yes`)).status).toBe(400);
    expect((await h.api('DELETE', `/v1/users/${h.id('u')}`, undefined, { key: null })).status).toBe(401);
  });
});
