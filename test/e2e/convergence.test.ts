import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBody, connectedPair, eventsFor, getBooking, settled, strip } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('duplicated and reordered changes converge to the newest version', () => {
  it('confirm twice makes one event per calendar', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    const body = confirmBody([strip(tutor), strip(client)], { version: 1 });
    const [a, b] = await Promise.all([
      h.api('POST', `/v1/bookings/${bookingId}/confirm`, body),
      h.api('POST', `/v1/bookings/${bookingId}/confirm`, body),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, body)).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    expect(await eventsFor(h, tutor.calendar, bookingId, true)).toHaveLength(1);
    expect(await eventsFor(h, client.calendar, bookingId, true)).toHaveLength(1);
  });

  it('reschedule v3 arriving before confirm v2 keeps v3 times and v2 details', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    const participants = [strip(tutor), strip(client)];
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody(participants, { version: 1 }))).status).toBe(202);
    expect(
      (
        await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, {
          version: 3,
          start: '2030-07-01T09:00:00Z',
          end: '2030-07-01T10:00:00Z',
        })
      ).status,
    ).toBe(202);
    expect(
      (
        await h.api(
          'POST',
          `/v1/bookings/${bookingId}/confirm`,
          confirmBody(participants, { version: 2, title: 'Algebra (renamed)', start: '2030-06-01T09:00:00Z', end: '2030-06-01T10:00:00Z' }),
        )
      ).status,
    ).toBe(202);
    const view = await settled(h, bookingId, (v) => v.title === 'Algebra (renamed)');
    expect(view.start).toBe('2030-07-01T09:00:00Z');
    expect(view.version).toBe(3);
    for (const email of [tutor.calendar, client.calendar]) {
      const events = await eventsFor(h, email, bookingId, true);
      expect(events).toHaveLength(1);
      expect(Date.parse(events[0]!.start.dateTime!)).toBe(Date.parse('2030-07-01T09:00:00Z'));
      expect(events[0]!.summary).toMatch(/^Algebra \(renamed\) with /);
    }
  });

  it('cancel then a late reschedule does not resurrect the booking', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    expect(
      (await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)], { version: 1 }))).status,
    ).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    expect((await h.api('POST', `/v1/bookings/${bookingId}/cancel`, { version: 3 })).status).toBe(202);
    // The late reschedule (v2) may still be accepted while the cancel is in flight, or refused with 409; either way it must not resurrect anything.
    const late = await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, {
      version: 2,
      start: '2030-08-01T09:00:00Z',
      end: '2030-08-01T10:00:00Z',
    });
    expect([202, 409]).toContain(late.status);
    const lateConfirm = await h.api(
      'POST',
      `/v1/bookings/${bookingId}/confirm`,
      confirmBody([strip(tutor), strip(client)], { version: 4 }),
    );
    expect([202, 409]).toContain(lateConfirm.status);
    await eventually(async () => {
      const v = await getBooking(h, bookingId);
      return v.status === 'cancelled' && v.calendars.every((c) => c.state === 'deleted') ? v : undefined;
    }, 'cancellation to settle');
    for (const email of [tutor.calendar, client.calendar]) {
      const events = await eventsFor(h, email, bookingId, true);
      expect(events.map((e) => e.status)).toEqual(['cancelled']);
    }
    // The finished workflow refuses a late confirm instead of creating the events again.
    await eventually(async () => {
      const r = await h.api<{ code: string }>(
        'POST',
        `/v1/bookings/${bookingId}/confirm`,
        confirmBody([strip(tutor), strip(client)], { version: 5 }),
      );
      return r.status === 409 ? r : undefined;
    }, 'confirm of a finished, cancelled booking to be refused');
    for (const email of [tutor.calendar, client.calendar]) {
      expect(await eventsFor(h, email, bookingId)).toHaveLength(0);
    }
  });
});
