import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleEventId } from '../../src/providers/google/event-id';
import { confirmBody, connectedPair, eventsFor, getBooking, settled, strip, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('a booking drives one event per connected participant', () => {
  it('confirm creates one event each with the right instant, zone, per-role text and three reminders; reschedule moves them; cancel removes them', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    const path = { bookingId };
    const res = await h.client.call('confirmBooking', {
      params: { path },
      body: confirmBody([strip(tutor), strip(client)], { version: 1 }),
    });
    expect(res.status).toBe(202);

    const view = await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    expect(view.status).toBe('confirmed');
    expect(view.calendars.map((c) => c.userId).sort()).toEqual([tutor.userId, client.userId].sort());

    const [tutorEvent] = await eventsFor(h, tutor.calendar, bookingId);
    const [clientEvent] = await eventsFor(h, client.calendar, bookingId);
    expect(await eventsFor(h, tutor.calendar, bookingId)).toHaveLength(1);
    expect(await eventsFor(h, client.calendar, bookingId)).toHaveLength(1);
    expect(tutorEvent!.id).toBe(googleEventId({ bookingId, connectionId: tutor.connectionId }));
    expect(view.calendars.find((c) => c.userId === tutor.userId)?.externalEventId).toBe(tutorEvent!.id);

    // 15:00Z on 1 May is 16:00 in London (BST), shown in the booking's zone.
    for (const e of [tutorEvent!, clientEvent!]) {
      expect(Date.parse(e.start.dateTime!)).toBe(Date.parse('2030-05-01T15:00:00Z'));
      expect(Date.parse(e.end.dateTime!)).toBe(Date.parse('2030-05-01T16:00:00Z'));
      expect(e.start.timeZone).toBe('Europe/London');
      expect(e.start.dateTime).toBe('2030-05-01T16:00:00+01:00');
      expect(e.reminders).toEqual({
        useDefault: false,
        overrides: [
          { method: 'email', minutes: 1440 },
          { method: 'popup', minutes: 60 },
          { method: 'popup', minutes: 15 },
        ],
      });
      expect(e.location).toBe('Library room 2');
      expect(e.description).toContain('Join: https://meet.example.com/algebra');
    }
    expect(tutorEvent!.summary).toBe('Algebra lesson with Bob Builder');
    expect(tutorEvent!.description).toContain('Client: Bob Builder');
    expect(clientEvent!.summary).toBe('Algebra lesson with Ada Lovelace');
    expect(clientEvent!.description).toContain('Tutor: Ada Lovelace');

    // Reschedule into New York time.
    const moved = await h.client.call('rescheduleBooking', {
      params: { path },
      body: { version: 2, start: '2030-05-02T13:30:00Z', end: '2030-05-02T14:30:00Z', timeZone: 'America/New_York' },
    });
    expect(moved.status).toBe(202);
    await settled(h, bookingId, (v) => v.start === '2030-05-02T13:30:00Z');
    for (const email of [tutor.calendar, client.calendar]) {
      const events = await eventsFor(h, email, bookingId);
      expect(events).toHaveLength(1);
      expect(events[0]!.start).toEqual({ dateTime: '2030-05-02T09:30:00-04:00', timeZone: 'America/New_York' });
    }

    const cancelled = await h.client.call('cancelBooking', { params: { path }, body: { version: 3, reason: 'student ill' } });
    expect(cancelled.status).toBe(202);
    const final = await eventually(async () => {
      const v = await getBooking(h, bookingId);
      return v.status === 'cancelled' && v.calendars.every((c) => c.state === 'deleted') ? v : undefined;
    }, 'cancellation to reach both calendars');
    expect(final.cancelReason).toBe('student ill');
    for (const email of [tutor.calendar, client.calendar]) {
      expect(await eventsFor(h, email, bookingId)).toHaveLength(0);
      const kept = await eventsFor(h, email, bookingId, true);
      expect(kept.map((e) => e.status)).toEqual(['cancelled']);
    }
    // Cancelling again is accepted and changes nothing; a reschedule of a cancelled booking is refused.
    expect((await h.client.call('cancelBooking', { params: { path }, body: {} })).status).toBe(202);
    const late = await h.client.call('rescheduleBooking', {
      params: { path },
      body: { start: '2030-06-01T10:00:00Z', end: '2030-06-01T11:00:00Z' },
    });
    expect(late.status).toBe(409);
    // The status narrows the body to the problem the document describes for it.
    if (late.status !== 409) return;
    expect(late.body.code).toBe('booking_cancelled');
  });

  it('a participant without a calendar is skipped, not failed', async () => {
    const { tutor } = await connectedPair(h);
    const bookingId = h.id('bk');
    const lonely: TestParticipant = { userId: h.id('nocal'), role: 'client', name: 'No Calendar', email: 'none@example.com' };
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), lonely]))).status).toBe(202);
    const view = await settled(h, bookingId, (v) => v.calendars.some((c) => c.state === 'synced'));
    expect(view.calendars.find((c) => c.userId === lonely.userId)).toMatchObject({ state: 'skipped', connectionId: null });
    expect(view.calendars.find((c) => c.userId === tutor.userId)?.state).toBe('synced');
    const log = await h.pool.query(`SELECT operation, outcome FROM sync_log WHERE booking_id = $1 AND user_id = $2`, [
      bookingId,
      lonely.userId,
    ]);
    expect(log.rows).toEqual([{ operation: 'skip', outcome: 'ok' }]);
  });
});
