import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingView } from '../../src/domain/booking';
import type { BookingHistoryEntry } from '../../src/domain/booking-history';
import { bookingWorkflowId } from '../../src/workflows/messages';
import { confirmBody, connectedPair, eventsFor, getBooking, settled, strip, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { startNotifyReceiver } from '../support/notify-receiver';

// Bookings outlive Temporal's retention: reads and changes of a booking whose workflow is gone
// come from PostgreSQL, and the lists and history routes read PostgreSQL alone.

let h: Harness;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
beforeAll(async () => {
  receiver = await startNotifyReceiver();
  // Calendars are read every 2 s so a user's edit of our event is seen quickly.
  h = await startHarness({ NOTIFY_URL: receiver.url, BUSY_POLL_INTERVAL: '2s' });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

const day = (d: number) => new Date(Date.now() + d * 86_400_000);
const hour = (d: Date, hh: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh)).toISOString();

/** What Temporal's retention does to a finished workflow (and an operator's `temporal workflow delete` to any). */
async function deleteWorkflow(bookingId: string): Promise<void> {
  const workflowId = bookingWorkflowId(bookingId);
  await h.service.client.workflowService.deleteWorkflowExecution({
    namespace: h.config.temporal.namespace,
    workflowExecution: { workflowId },
  });
  // Deletion is asynchronous: wait until Temporal no longer describes it.
  const handle = h.service.client.workflow.getHandle(workflowId);
  await eventually(
    async () => {
      try {
        await handle.describe();
        return undefined;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return true;
        throw err;
      }
    },
    `${workflowId} deleted`,
    120_000,
  );
}

type History = { bookingId: string; entries: BookingHistoryEntry[]; nextCursor: string | null };
type UserBookings = { bookings: BookingView[]; nextCursor: string | null };

/** Every page of the booking's history, `limit` entries a page. */
async function fullHistory(bookingId: string, limit: number): Promise<BookingHistoryEntry[]> {
  const all: BookingHistoryEntry[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const res = await h.api<History>('GET', `/v1/bookings/${bookingId}/history?limit=${limit}${q}`);
    expect(res.status).toBe(200);
    expect(res.body.entries.length).toBeLessThanOrEqual(limit);
    all.push(...res.body.entries);
    cursor = res.body.nextCursor;
    if (!cursor) return all;
  }
  throw new Error('history never ended');
}

describe('a booking whose workflow Temporal has removed', () => {
  it('still answers GET and cancel from PostgreSQL: the cancel removes its events, once each', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    const body = confirmBody([strip(tutor), strip(client)], { version: 2 });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, body)).status).toBe(202);
    const live = await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);

    await deleteWorkflow(bookingId);
    const gone = await getBooking(h, bookingId);
    const comparable = (v: BookingView) => ({
      ...v,
      start: Date.parse(v.start),
      end: Date.parse(v.end),
      calendars: v.calendars
        .map((c) => ({ userId: c.userId, connectionId: c.connectionId, state: c.state, externalEventId: c.externalEventId }))
        .sort((a, b) => a.userId.localeCompare(b.userId)),
    });
    // The same booking in the same shape; nothing more is on its way, and every calendar has it.
    expect(comparable(gone)).toEqual(comparable(live));
    expect(gone.syncState).toBe('synced');

    const cancel = await h.api('POST', `/v1/bookings/${bookingId}/cancel`, { reason: 'tutor ill' });
    expect(cancel.status).toBe(202);
    const cancelled = await settled(h, bookingId, (v) => v.status === 'cancelled' && v.calendars.every((c) => c.state === 'deleted'));
    expect(cancelled.cancelReason).toBe('tutor ill');
    expect(cancelled.calendars).toHaveLength(2);
    // Removed from both calendars, and no second event was ever written.
    for (const p of [tutor, client]) {
      expect(await eventsFor(h, p.calendar, bookingId)).toHaveLength(0);
      expect(await eventsFor(h, p.calendar, bookingId, true)).toHaveLength(1);
    }
    // Revisions continued from the recorded one: the cancellation is saved over it.
    const row = await h.pool.query<{ status: string; revision: number }>('SELECT status, revision FROM bookings WHERE booking_id = $1', [
      bookingId,
    ]);
    expect(row.rows[0]).toEqual({ status: 'cancelled', revision: 2 });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/cancel`, {})).status).toBe(202);

    // Removed again once it finished: still readable, still cancelled, and closed to changes.
    await eventually(
      () =>
        h.service.client.workflow
          .getHandle(bookingWorkflowId(bookingId))
          .describe()
          .then((d) => (d.status.name === 'COMPLETED' ? true : undefined)),
      'the resumed workflow to finish',
    );
    await deleteWorkflow(bookingId);
    const after = await getBooking(h, bookingId);
    expect(after).toMatchObject({ status: 'cancelled', cancelReason: 'tutor ill', syncState: 'synced' });
    expect(after.calendars.map((c) => c.state)).toEqual(['deleted', 'deleted']);
    expect((await h.api('POST', `/v1/bookings/${bookingId}/cancel`, {})).status).toBe(202);
    const moved = await h.api<{ code: string }>('POST', `/v1/bookings/${bookingId}/reschedule`, {
      start: '2030-05-02T15:00:00Z',
      end: '2030-05-02T16:00:00Z',
    });
    expect([moved.status, moved.body.code]).toEqual([409, 'booking_cancelled']);
  });

  it('a reschedule moves its events in place', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]))).status).toBe(202);
    const live = await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    await deleteWorkflow(bookingId);

    const res = await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { start: '2030-05-03T09:00:00Z', end: '2030-05-03T10:00:00Z' });
    expect(res.status).toBe(202);
    await settled(h, bookingId, (v) => v.start === '2030-05-03T09:00:00Z' && v.calendars.every((c) => c.state === 'synced'));
    for (const p of [tutor, client]) {
      const events = await eventsFor(h, p.calendar, bookingId, true);
      expect(events).toHaveLength(1);
      expect(Date.parse(events[0]!.start.dateTime!)).toBe(Date.parse('2030-05-03T09:00:00Z'));
      expect(events[0]!.id).toBe(live.calendars.find((c) => c.userId === p.userId)!.externalEventId);
    }
  });

  it('an id neither Temporal nor the database knows is still 404', async () => {
    const bookingId = h.id('unknown');
    for (const [method, path] of [
      ['GET', `/v1/bookings/${bookingId}`],
      ['POST', `/v1/bookings/${bookingId}/cancel`],
      ['POST', `/v1/bookings/${bookingId}/reschedule`],
      ['GET', `/v1/bookings/${bookingId}/history`],
    ] as const) {
      const body = path.endsWith('reschedule') ? { start: '2030-05-03T09:00:00Z', end: '2030-05-03T10:00:00Z' } : undefined;
      const res = await h.api<{ code: string }>(method, path, body);
      expect([path, res.status, res.body.code]).toEqual([path, 404, 'booking_not_found']);
    }
  });
});

describe('GET /v1/users/:userId/bookings', () => {
  it("pages through the user's bookings by start time, filtered by status and time", async () => {
    const userId = h.id('list');
    const other: TestParticipant = { userId: h.id('other'), role: 'client', name: 'Bob', email: 'bob@example.com' };
    const me: TestParticipant = { userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
    const starts = ['2030-06-03T09:00:00Z', '2030-06-01T09:00:00Z', '2030-06-02T09:00:00Z', '2030-06-04T09:00:00Z'];
    const ids = starts.map(() => h.id('bk'));
    for (const [i, start] of starts.entries()) {
      const end = start.replace('T09', 'T10');
      expect((await h.api('POST', `/v1/bookings/${ids[i]}/confirm`, confirmBody([me, other], { start, end }))).status).toBe(202);
    }
    // Someone else's booking is not listed.
    const notMine = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${notMine}/confirm`, confirmBody([other]))).status).toBe(202);
    expect((await h.api('POST', `/v1/bookings/${ids[3]}/cancel`, {})).status).toBe(202);
    await Promise.all(ids.map((id, i) => settled(h, id, (v) => v.status === (i === 3 ? 'cancelled' : 'confirmed'))));
    const byStart = [ids[1], ids[2], ids[0], ids[3]];

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await h.api<UserBookings>('GET', `/v1/users/${userId}/bookings?limit=3${q}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.bookings.map((b) => b.bookingId));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(byStart);

    const first = await h.api<UserBookings>('GET', `/v1/users/${userId}/bookings?limit=1`);
    // Each as GET /v1/bookings/:id shows it: no e-mail addresses.
    expect(first.body.bookings[0]).toMatchObject({
      bookingId: ids[1],
      status: 'confirmed',
      title: 'Algebra lesson',
      timeZone: 'Europe/London',
    });
    expect(JSON.stringify(first.body)).not.toContain('@example.com');

    const cancelled = await h.api<UserBookings>('GET', `/v1/users/${userId}/bookings?status=cancelled`);
    expect(cancelled.body.bookings.map((b) => b.bookingId)).toEqual([ids[3]]);
    // Bookings overlapping [from, to): the one ending at `from` is out, the one starting at `to` too.
    const overlapping = await h.api<UserBookings>(
      'GET',
      `/v1/users/${userId}/bookings?from=2030-06-01T10:00:00Z&to=2030-06-03T09:00:00Z&status=confirmed`,
    );
    expect(overlapping.body).toEqual({ bookings: [expect.objectContaining({ bookingId: ids[2] })], nextCursor: null });
    expect((await h.api<UserBookings>('GET', `/v1/users/${h.id('nobody')}/bookings`)).body).toEqual({ bookings: [], nextCursor: null });
  });

  it('refuses bad parameters with a 400 naming them, and needs the API key', async () => {
    const userId = h.id('bad');
    const history = await h.api<History>('GET', `/v1/bookings/${h.id('bk')}/history`);
    expect(history.status).toBe(404);
    for (const [query, code, mentions] of [
      ['limit=0', 'invalid_request', 'query.limit'],
      ['limit=101', 'invalid_request', 'query.limit'],
      ['limit=ten', 'invalid_request', 'query.limit'],
      ['status=pending', 'invalid_request', 'query.status'],
      ['from=yesterday', 'invalid_request', 'query.from'],
      ['from=2030-06-02T00:00:00Z&to=2030-06-01T00:00:00Z', 'invalid_request', 'query.to'],
      ['colour=red', 'invalid_request', 'colour'],
      ['limit=1&limit=2', 'invalid_request', 'query.limit'],
      ['cursor=not-a-cursor', 'invalid_cursor', 'query.cursor'],
      [
        `cursor=${Buffer.from('{"k":"booking-history","p":{"atMicros":"1","source":0,"key":"x"}}').toString('base64url')}`,
        'invalid_cursor',
        'query.cursor',
      ],
    ] as const) {
      const res = await h.api<{ code: string; detail: string }>('GET', `/v1/users/${userId}/bookings?${query}`);
      expect([query, res.status, res.body.code]).toEqual([query, 400, code]);
      expect(res.body.detail + JSON.stringify(res.body)).toContain(mentions);
    }
    expect((await h.api('GET', `/v1/users/${userId}/bookings`, undefined, { key: null })).status).toBe(401);
    expect((await h.api('GET', `/v1/bookings/${h.id('bk')}/history`, undefined, { key: 'wrong' })).status).toBe(401);
    for (const query of ['limit=0', 'limit=501', 'cursor=%25%25', 'since=1']) {
      const res = await h.api<{ code: string }>('GET', `/v1/bookings/${h.id('bk')}/history?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
    }
  });
});

describe('GET /v1/bookings/:bookingId/history', () => {
  it("lists the booking's writes, a retry after a fault and the user's edit with its notification, oldest first", async () => {
    const userId = h.id('hist');
    const { connectionId, email } = await h.connectGoogle(userId);
    await eventually(async () => {
      const res = await h.api<{ connections: Array<{ id: string; bulkSync?: { state: string } }> }>(
        'GET',
        `/v1/users/${userId}/connections`,
      );
      return res.body.connections.find((c) => c.id === connectionId)?.bulkSync?.state === 'completed' ? true : undefined;
    }, 'bulk sync done');
    const bookingId = h.id('bk');
    const d = day(3);
    const me: TestParticipant = { userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
    // The provider's first answer to the create is a 503: the write is retried.
    await h.google.addFault({ method: 'POST', path: '/events', account: email, status: 503, reason: 'backendError', times: 1 });
    const body = confirmBody([me], { start: hour(d, 15), end: hour(d, 16) });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, body)).status).toBe(202);
    const v = await settled(h, bookingId, (b) => b.calendars.length === 1 && b.calendars[0]!.state === 'synced');
    const externalEventId = v.calendars[0]!.externalEventId!;
    // A read of the calendar that began after our write was recorded, so the next one judges the event.
    const readAt = async () =>
      (
        await h.pool.query<{ t: Date | null }>('SELECT max(synced_at) AS t FROM busy_calendars WHERE connection_id = $1', [connectionId])
      ).rows[0]!.t?.getTime() ?? 0;
    const before = await readAt();
    await eventually(async () => ((await readAt()) > before ? true : undefined), 'a busy read after the write');
    // The user deletes our event in their calendar; a read sees it and the booking system is told.
    await h.google.deleteUserEvent(email, externalEventId);
    await eventually(
      () => (receiver.accepted('booking.removed_externally', bookingId).length > 0 ? true : undefined),
      'removed_externally delivered',
    );
    const entries = await eventually(async () => {
      const all = await fullHistory(bookingId, 100);
      return all.some((e) => e.kind === 'notification' && e.status === 'delivered') ? all : undefined;
    }, 'the delivery recorded');

    const summary = entries.map((e) =>
      e.kind === 'notification'
        ? `notification ${e.type}`
        : e.kind === 'invitation'
          ? 'invitation'
          : `${e.kind} ${e.operation} ${e.outcome}`,
    );
    expect(summary).toEqual([
      'calendar create retrying',
      'calendar create ok',
      'external_edit external_delete ok',
      'notification booking.removed_externally',
    ]);
    const [retry, write, edit, notification] = entries;
    expect(retry).toMatchObject({
      kind: 'calendar',
      userId,
      connectionId,
      provider: 'google',
      revision: 1,
      detail: expect.stringContaining('attempt 1'),
    });
    expect(write).toMatchObject({ kind: 'calendar', userId, connectionId, provider: 'google', revision: 1, externalEventId });
    expect(edit).toMatchObject({ kind: 'external_edit', userId, connectionId, externalEventId });
    expect(notification).toMatchObject({
      kind: 'notification',
      status: 'delivered',
      attempts: 1,
      data: { bookingId, userId, connectionId },
    });
    const times = entries.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // One entry a page gives the same list: the cursor neither skips nor repeats.
    expect(await fullHistory(bookingId, 1)).toEqual(entries);
    // Nothing secret or personal beyond what GET /v1/bookings/:id shows.
    const raw = JSON.stringify(entries);
    expect(raw).not.toContain('ada@example.com');
    expect(raw).not.toContain(email);
    expect(raw).not.toMatch(/ya29\.|Bearer/);
  });
});
