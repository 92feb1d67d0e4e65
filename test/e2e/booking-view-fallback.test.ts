import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBody, connectedPair, settled, strip } from '../support/bookings';
import { eventually } from '../support/eventually';
import { startHarness, type Harness } from '../support/harness';

// Its own file: the test stops the harness's worker for good.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('GET /v1/bookings/:id with no worker to answer', () => {
  it('answers from what the database recorded: the booking, and each calendar its workflow wrote', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    const body = confirmBody([strip(tutor), strip(client)], { version: 3, location: 'Room 4' });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, body)).status).toBe(202);
    const live = await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);

    // No worker on the queue: the state query goes unanswered and the route reads PostgreSQL. A
    // worker still stopping can answer it (with a pass the connects' bulk syncs started since).
    const worker = h.service.worker!;
    worker.shutdown();
    await eventually(() => (worker.getState() === 'STOPPED' ? true : undefined), 'the worker to stop');
    const res = await h.api<typeof live>('GET', `/v1/bookings/${bookingId}`);
    expect(res.status).toBe(200);
    const { syncState, calendars, start, end, ...booking } = res.body;
    const { syncState: _liveSync, calendars: liveCalendars, start: liveStart, end: liveEnd, ...liveBooking } = live;
    expect(booking).toEqual(liveBooking);
    // The same instants; the workflow echoes the text it was sent, the database its own ISO form.
    expect([Date.parse(start), Date.parse(end)]).toEqual([Date.parse(liveStart), Date.parse(liveEnd)]);
    expect(booking).toMatchObject({ status: 'confirmed', version: 3, location: 'Room 4' });
    // The database knows what was written, not whether more is on its way.
    expect(syncState).toBe('pending');
    const byUser = (list: typeof calendars) =>
      list
        .map((c) => ({ userId: c.userId, connectionId: c.connectionId, state: c.state, externalEventId: c.externalEventId }))
        .sort((a, b) => a.userId.localeCompare(b.userId));
    expect(byUser(calendars)).toEqual(byUser(liveCalendars));
  });
});
