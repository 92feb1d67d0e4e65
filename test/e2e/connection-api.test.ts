import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBody, eventsFor, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import type { RequestBody } from 'calsync-client';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface CalendarAccountJson {
  id: string;
  status: string;
  syncEnabled: boolean;
  removingEvents?: boolean;
  bulkSync?: { state: string; done: number };
  eventsNotRemoved?: unknown[];
}

async function list(userId: string): Promise<CalendarAccountJson[]> {
  const res = await h.client.call('listConnections', { params: { path: { userId } } });
  if (res.status !== 200) throw new Error(`list connections: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.connections;
}

/** PATCH through the typed client: the body is checked against the document's request schema. */
function update(userId: string, connectionId: string, body: RequestBody<'updateConnection'>) {
  return h.client.call('updateConnection', { params: { path: { userId, connectionId } }, body });
}

async function tutorWithBooking() {
  const userId = h.id('tutor');
  const { connectionId, email } = await h.connectGoogle(userId);
  const tutor: TestParticipant = { userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
  const client: TestParticipant = { userId: h.id('client'), role: 'client', name: 'Bob', email: 'bob@example.com' };
  const bookingId = h.id('bk');
  expect((await h.client.call('confirmBooking', { params: { path: { bookingId } }, body: confirmBody([tutor, client]) })).status).toBe(202);
  await settled(h, bookingId, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
  return { userId, connectionId, email, tutor, client, bookingId };
}

describe('connection API', () => {
  it('turning sync off keeps existing events up to date but adds no new ones; turning it on brings them in', async () => {
    const { userId, connectionId, email, tutor, client, bookingId } = await tutorWithBooking();
    const off = await update(userId, connectionId, { syncEnabled: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ syncEnabled: false });

    const later = h.id('bk');
    await h.api('POST', `/v1/bookings/${later}/confirm`, confirmBody([tutor, client]));
    await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { start: '2031-02-01T10:00:00Z', end: '2031-02-01T11:00:00Z' });
    await settled(h, bookingId, (v) => v.start === '2031-02-01T10:00:00Z');
    const view = await settled(h, later);
    expect(view.calendars.find((c) => c.userId === userId)).toMatchObject({ state: 'skipped' });
    expect(await eventsFor(h, email, later, true)).toHaveLength(0);
    const [moved] = await eventsFor(h, email, bookingId);
    expect(Date.parse(moved!.start.dateTime!)).toBe(Date.parse('2031-02-01T10:00:00Z'));

    const on = await update(userId, connectionId, { syncEnabled: true });
    expect(on).toMatchObject({ status: 200, body: { syncEnabled: true } });
    await settled(h, later, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    expect(await eventsFor(h, email, later, true)).toHaveLength(1);
  });

  it('lists calendars and moves events to a chosen secondary calendar, refusing a read-only one', async () => {
    const { userId, connectionId, email, bookingId } = await tutorWithBooking();
    const work = await h.google.createCalendar(email, { summary: 'Work' });
    const shared = await h.google.createCalendar(email, { summary: 'Holidays', accessRole: 'reader' });
    type CalendarJson = { id: string; name: string; primary: boolean; writable: boolean; selected: boolean };
    const listed = await h.api<{ calendars: CalendarJson[] }>('GET', `/v1/users/${userId}/connections/${connectionId}/calendars`);
    expect(listed.status).toBe(200);
    expect(listed.body.calendars).toEqual([
      {
        id: 'primary',
        name: expect.any(String),
        primary: true,
        writable: true,
        selected: true,
        countsForConflicts: true,
        timeZone: expect.any(String),
      },
      expect.objectContaining({ id: work.id, name: 'Work', primary: false, writable: true, selected: false }),
      expect.objectContaining({ id: shared.id, name: 'Holidays', writable: false, selected: false }),
    ]);

    const readOnly = await update(userId, connectionId, { calendarId: shared.id });
    expect([readOnly.status, readOnly.status === 400 && readOnly.body.code]).toEqual([400, 'calendar_not_writable']);
    const moved = await update(userId, connectionId, { calendarId: work.id });
    expect(moved).toMatchObject({ status: 200, body: { calendarId: work.id } });
    const inWork = async () =>
      (await h.google.listEvents(email, { calendarId: work.id })).filter(
        (e) => e.extendedProperties?.private?.bookingCalendarSyncBookingId === bookingId,
      );
    await eventually(
      async () => ((await inWork()).length === 1 && (await eventsFor(h, email, bookingId)).length === 0 ? true : undefined),
      'event moved to Work',
    );

    const back = await update(userId, connectionId, { calendarId: 'primary' });
    expect(back).toMatchObject({ status: 200, body: { calendarId: 'primary' } });
    await eventually(
      async () => ((await inWork()).length === 0 && (await eventsFor(h, email, bookingId)).length === 1 ? true : undefined),
      'event back in primary',
    );
  });

  it("refuses other users' connections and bad bodies", async () => {
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
    const res = await h.api<CalendarAccountJson>('DELETE', `/v1/users/${userId}/connections/${connectionId}`);
    expect(res.status).toBe(202);
    await eventually(async () => ((await list(userId))[0]?.status === 'disconnected' ? true : undefined), 'disconnected');
    const { rows } = await h.pool.query('SELECT access_token_enc, refresh_token_enc FROM calendar_connections WHERE id = $1', [
      connectionId,
    ]);
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
    await h.api(
      'POST',
      `/v1/bookings/${second}/confirm`,
      confirmBody([tutor, client], { start: '2031-03-01T10:00:00Z', end: '2031-03-01T11:00:00Z' }),
    );
    await settled(h, second, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    const res = await h.api<CalendarAccountJson>('DELETE', `/v1/users/${userId}/connections/${connectionId}?removeEvents=true`);
    expect(res.status).toBe(202);
    expect(res.body.removingEvents).toBe(true);
    const done = await eventually(async () => {
      const [account] = await list(userId);
      return account?.status === 'disconnected' ? account : undefined;
    }, 'disconnected');
    // Every event was removed: none is listed as left.
    expect(done.eventsNotRemoved).toEqual([]);
    for (const id of [bookingId, second]) {
      const events = await eventsFor(h, email, id, true);
      expect(events.map((e) => e.status)).toEqual(['cancelled']);
    }
    const after = await settled(h, bookingId);
    expect(after.calendars.find((c) => c.connectionId === connectionId)?.state).toBe('deleted');
  });
});
