import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBody, connectedPair, eventsFor, settled, strip } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

interface ConnectionJson {
  id: string;
  status: string;
  removingEvents?: boolean;
  eventsNotRemoved?: Array<{ bookingId: string; start: string | null; reason: string }>;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('disconnecting a Google calendar that needs reconnecting', () => {
  // The figure: it used to stay `needs_reauth` with `removingEvents: true` for good.
  it('with removeEvents=true ends disconnected within a minute, the event it could not remove listed', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    expect(
      (await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)], { version: 1 }))).status,
    ).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    await h.google.revoke(tutor.calendar);
    await h.google.expireAccessTokens(tutor.calendar);
    await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { version: 2, start: '2030-11-01T10:00:00Z', end: '2030-11-01T11:00:00Z' });
    const list = async () =>
      (await h.api<{ connections: ConnectionJson[] }>('GET', `/v1/users/${tutor.userId}/connections`)).body.connections;
    await eventually(
      async () => ((await list())[0]?.status === 'needs_reauth' ? true : undefined),
      'the tutor calendar to need reconnecting',
    );

    const asked = Date.now();
    const res = await h.api<ConnectionJson>('DELETE', `/v1/users/${tutor.userId}/connections/${tutor.connectionId}?removeEvents=true`);
    expect([res.status, res.body.removingEvents]).toEqual([202, true]);
    const done = await eventually(async () => {
      const [account] = await list();
      return account?.status === 'disconnected' ? account : undefined;
    }, 'the disconnect to finish');
    expect(Date.now() - asked).toBeLessThan(60_000);
    expect(done.removingEvents).toBeUndefined();
    expect(done.eventsNotRemoved).toEqual([
      { bookingId, start: expect.any(String) as string, reason: expect.stringContaining('reconnected') as string },
    ]);
    // Still in the tutor's calendar (nothing could be deleted there), tokens erased.
    expect(await eventsFor(h, tutor.calendar, bookingId)).toHaveLength(1);
    const row = await h.pool.query<{ access_token_enc: string | null; refresh_token_enc: string | null }>(
      'SELECT access_token_enc, refresh_token_enc FROM calendar_connections WHERE id = $1',
      [tutor.connectionId],
    );
    expect(row.rows[0]).toEqual({ access_token_enc: null, refresh_token_enc: null });
  });
});
