import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingDetails, BookingView } from '../../src/domain/booking';
import { bookingWorkflow } from '../../src/workflows/booking';
import { bookingWorkflowId, confirmSignal, rescheduleSignal } from '../../src/workflows/messages';
import { confirmBody, connectedPair, eventsFor, getBooking, settled, strip } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('bookingWorkflow lifecycle', () => {
  it('finishes once the booking has ended, keeps its events, and refuses later changes', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('past');
    const start = new Date(Date.now() - 3 * 24 * 60 * 60_000);
    const end = new Date(start.getTime() + 60 * 60_000);
    const body = confirmBody([strip(tutor), strip(client)], { start: start.toISOString(), end: end.toISOString() });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, body)).status).toBe(202);

    const handle = h.service.client.workflow.getHandle<typeof bookingWorkflow>(bookingWorkflowId(bookingId));
    const result = await handle.result();
    expect(result?.status).toBe('confirmed');
    expect(result?.calendars.filter((c) => c.state === 'synced')).toHaveLength(2);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(await eventsFor(h, tutor.calendar, bookingId)).toHaveLength(1);

    const view = await getBooking(h, bookingId);
    expect(view.syncState).toBe('synced');
    const late = await h.api<{ code: string }>('POST', `/v1/bookings/${bookingId}/reschedule`, {
      start: new Date().toISOString(),
      end: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('booking_closed');
    const again = await h.api<{ code: string }>('POST', `/v1/bookings/${bookingId}/confirm`, body);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('booking_closed');
    expect(await eventsFor(h, tutor.calendar, bookingId, true)).toHaveLength(1);
  });

  it('a booking whose earlier workflow is gone but which the database remembers as cancelled is not brought back by a late confirm', async () => {
    const { tutor, client } = await connectedPair(h);
    const earlier = h.id('earlier');
    const body = confirmBody([strip(tutor), strip(client)], { version: 1 });
    expect((await h.api('POST', `/v1/bookings/${earlier}/confirm`, body)).status).toBe(202);
    await settled(h, earlier);
    expect((await h.api('POST', `/v1/bookings/${earlier}/cancel`, { version: 2 })).status).toBe(202);
    expect((await h.service.client.workflow.getHandle<typeof bookingWorkflow>(bookingWorkflowId(earlier)).result())?.status).toBe(
      'cancelled',
    );

    // What retention leaves behind: the database's record of a cancelled booking and no workflow
    // history (a copy under an id Temporal has never seen).
    const bookingId = h.id('remembered');
    await h.pool.query(
      `INSERT INTO bookings SELECT (jsonb_populate_record(NULL::bookings, to_jsonb(b) || jsonb_build_object('booking_id', $2::text))).* FROM bookings b WHERE booking_id = $1`,
      [earlier, bookingId],
    );
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, body)).status).toBe(202);
    const result = await h.service.client.workflow.getHandle<typeof bookingWorkflow>(bookingWorkflowId(bookingId)).result();
    expect(result?.status).toBe('cancelled');
    expect(await eventsFor(h, tutor.calendar, bookingId, true)).toHaveLength(0);
    expect(await eventsFor(h, client.calendar, bookingId, true)).toHaveLength(0);
  });

  it('continues as new before its history grows large, keeping state and events', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('long');
    const workflowId = bookingWorkflowId(bookingId);
    const booking = confirmBody([strip(tutor), strip(client)]) as unknown as BookingDetails;
    // Started directly (not through the API) to lower the continue-as-new threshold.
    const first = await h.service.client.workflow.signalWithStart(bookingWorkflow, {
      workflowId,
      taskQueue: h.config.temporal.taskQueue,
      args: [{ bookingId, maxHistoryEvents: 40 }],
      signal: confirmSignal,
      signalArgs: [{ version: 1, booking }],
    });
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    for (let day = 10; day < 16; day++) {
      await first.signal(rescheduleSignal, { version: day, start: `2030-05-${day}T15:00:00Z`, end: `2030-05-${day}T16:00:00Z` });
      // A deadline, not a wait: in two full-suite runs one of these steps took over the default
      // 30 s (never when run alone); the timeout's message says what the last read showed.
      await settled(h, bookingId, (v) => v.start === `2030-05-${day}T15:00:00Z`, 90_000);
    }
    const described = await h.service.client.workflow.getHandle(workflowId).describe();
    expect(described.runId).not.toBe(first.signaledRunId);
    const view: BookingView = await getBooking(h, bookingId);
    expect(view.version).toBe(15);
    expect(view.calendars.filter((c) => c.state === 'synced')).toHaveLength(2);
    for (const email of [tutor.calendar, client.calendar]) {
      const events = await eventsFor(h, email, bookingId, true);
      expect(events).toHaveLength(1);
      expect(Date.parse(events[0]!.start.dateTime!)).toBe(Date.parse('2030-05-15T15:00:00Z'));
    }
    // A late, older change is still ignored by the new run.
    await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { version: 3, start: '2030-06-01T15:00:00Z', end: '2030-06-01T16:00:00Z' });
    await eventually(async () => ((await getBooking(h, bookingId)).syncState === 'synced' ? true : undefined), 'settle');
    expect((await getBooking(h, bookingId)).start).toBe('2030-05-15T15:00:00Z');
  });

  it('reconnecting the same account updates its connection instead of adding a second one', async () => {
    const userId = h.id('tutor');
    const first = await h.connectGoogle(userId, `${userId}@sandbox.test`);
    const second = await h.connectGoogle(userId, `${userId}@sandbox.test`);
    expect(second.connectionId).toBe(first.connectionId);
    const list = await h.api<{ connections: Array<{ id: string; accountEmail: string }> }>('GET', `/v1/users/${userId}/connections`);
    expect(list.body.connections).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toMatch(/token/i);
  });
});
