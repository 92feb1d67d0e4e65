import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBody, eventsFor, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface ConnectionJson {
  id: string;
  status: string;
  syncEnabled: boolean;
  removingEvents?: boolean;
  bulkSync?: { state: string; done: number };
}

async function list(userId: string): Promise<ConnectionJson[]> {
  return (await h.api<{ connections: ConnectionJson[] }>('GET', `/v1/users/${userId}/connections`)).body.connections;
}

async function tutorWithBooking() {
  const userId = h.id('tutor');
  const { connectionId, email } = await h.connectGoogle(userId);
  const tutor: TestParticipant = { userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
  const client: TestParticipant = { userId: h.id('client'), role: 'client', name: 'Bob', email: 'bob@example.com' };
  const bookingId = h.id('bk');
  await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([tutor, client]));
  await settled(h, bookingId, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
  return { userId, connectionId, email, tutor, client, bookingId };
}

describe('connection API', () => {
  it('turning sync off keeps existing events up to date but adds no new ones; turning it on brings them in', async () => {
    const { userId, connectionId, email, tutor, client, bookingId } = await tutorWithBooking();
    const off = await h.api<ConnectionJson>('PATCH', `/v1/users/${userId}/connections/${connectionId}`, { syncEnabled: false });
    expect(off.status).toBe(200);
    expect(off.body.syncEnabled).toBe(false);

    const later = h.id('bk');
    await h.api('POST', `/v1/bookings/${later}/confirm`, confirmBody([tutor, client]));
    await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { start: '2031-02-01T10:00:00Z', end: '2031-02-01T11:00:00Z' });
    await settled(h, bookingId, (v) => v.start === '2031-02-01T10:00:00Z');
    const view = await settled(h, later);
    expect(view.calendars.find((c) => c.userId === userId)).toMatchObject({ state: 'skipped' });
    expect(await eventsFor(h, email, later, true)).toHaveLength(0);
    const [moved] = await eventsFor(h, email, bookingId);
    expect(Date.parse(moved!.start!.dateTime!)).toBe(Date.parse('2031-02-01T10:00:00Z'));

    const on = await h.api<ConnectionJson>('PATCH', `/v1/users/${userId}/connections/${connectionId}`, { syncEnabled: true });
    expect(on.body.syncEnabled).toBe(true);
    await settled(h, later, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    expect(await eventsFor(h, email, later, true)).toHaveLength(1);
  });

  it('refuses other users\' connections and bad bodies', async () => {
    const { userId, connectionId } = await tutorWithBooking();
    expect((await h.api('PATCH', `/v1/users/someone-else/connections/${connectionId}`, { syncEnabled: false })).status).toBe(404);
    expect((await h.api('DELETE', `/v1/users/someone-else/connections/${connectionId}`)).status).toBe(404);
    expect((await h.api('PATCH', `/v1/users/${userId}/connections/${connectionId}`, { syncEnabled: 'no' })).status).toBe(400);
    expect((await h.api('PATCH', `/v1/users/${userId}/connections/${connectionId}`, {})).status).toBe(400);
    expect((await h.api('PATCH', `/v1/users/${userId}/connections/not-a-uuid`, { syncEnabled: true })).status).toBe(400);
    expect((await list(userId))[0]).toMatchObject({ syncEnabled: true, status: 'active' });
  });

  it('disconnecting revokes the grant and erases the tokens, leaving the events', async () => {
    const { userId, connectionId, email, bookingId } = await tutorWithBooking();
    const res = await h.api<ConnectionJson>('DELETE', `/v1/users/${userId}/connections/${connectionId}`);
    expect(res.status).toBe(202);
    await eventually(async () => ((await list(userId))[0]?.status === 'disconnected' ? true : undefined), 'disconnected');
    const { rows } = await h.pool.query('SELECT access_token_enc, refresh_token_enc FROM calendar_connections WHERE id = $1', [connectionId]);
    expect(rows[0]).toEqual({ access_token_enc: null, refresh_token_enc: null });
    const audit = await h.pool.query(`SELECT detail FROM sync_log WHERE connection_id = $1 AND operation = 'disconnect'`, [connectionId]);
    expect(audit.rows).toEqual([{ detail: 'grant revoked at the provider' }]);
    expect(await eventsFor(h, email, bookingId)).toHaveLength(1);
    // Idempotent.
    expect((await h.api('DELETE', `/v1/users/${userId}/connections/${connectionId}`)).status).toBe(200);
  });

  it('disconnecting with removeEvents=true deletes our events through the booking workflows first', async () => {
    const { userId, connectionId, email, tutor, client, bookingId } = await tutorWithBooking();
    const second = h.id('bk');
    await h.api('POST', `/v1/bookings/${second}/confirm`, confirmBody([tutor, client], { start: '2031-03-01T10:00:00Z', end: '2031-03-01T11:00:00Z' }));
    await settled(h, second, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    const res = await h.api<ConnectionJson>('DELETE', `/v1/users/${userId}/connections/${connectionId}?removeEvents=true`);
    expect(res.status).toBe(202);
    expect(res.body.removingEvents).toBe(true);
    await eventually(async () => ((await list(userId))[0]?.status === 'disconnected' ? true : undefined), 'disconnected', 60_000);
    for (const id of [bookingId, second]) {
      const events = await eventsFor(h, email, id, true);
      expect(events.map((e) => e.status)).toEqual(['cancelled']);
    }
    const after = await settled(h, bookingId);
    expect(after.calendars.find((c) => c.connectionId === connectionId)?.state).toBe('deleted');
  });
});
