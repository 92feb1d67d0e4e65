import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkSyncWorkflowId, calendarAccountWorkflowId } from '../../src/workflows/messages';
import { confirmBody, getBooking, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  // 60 requests a minute: a bulk sync goes at one booking a second, so a few bookings keep it
  // running long enough to act while it runs.
  h = await startHarness({ GOOGLE_QUOTA_PER_USER_PER_MINUTE: '60' });
});
afterAll(async () => {
  await h?.close();
});

const BOOKINGS = 8;
const EventType = temporal.api.enums.v1.EventType;

interface CalendarAccountJson {
  id: string;
  status: string;
  bulkSync?: { state: string; total: number; done: number };
}

async function accountOf(userId: string): Promise<CalendarAccountJson | undefined> {
  return (await h.api<{ connections: CalendarAccountJson[] }>('GET', `/v1/users/${userId}/connections`)).body.connections[0];
}

/** A tutor with BOOKINGS confirmed future bookings and no calendar yet. */
async function tutorWithBookings(): Promise<{ userId: string; ids: string[] }> {
  const userId = h.id('tutor');
  const me: TestParticipant = { userId, role: 'tutor', name: 'Tess', email: 'tess@example.com' };
  const student: TestParticipant = { userId: h.id('student'), role: 'client', name: 'Sid', email: 'sid@example.com' };
  const ids = Array.from({ length: BOOKINGS }, (_, i) => `${h.id('bk')}-${String(i).padStart(2, '0')}`);
  await Promise.all(
    ids.map(async (id, i) => {
      const start = new Date(Date.UTC(2031, 2, 1) + i * 3_600_000);
      const res = await h.api(
        'POST',
        `/v1/bookings/${id}/confirm`,
        confirmBody([me, student], { start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString() }),
      );
      expect(res.status).toBe(202);
    }),
  );
  await eventually(async () => {
    const { rows } = await h.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE booking_id = ANY($1)`, [ids]);
    return rows[0]!.n === ids.length ? true : undefined;
  }, 'bookings recorded');
  return { userId, ids };
}

/** Our events in the sandbox calendar, found by the booking tag alone (cancelled ones too). */
async function tagged(email: string): Promise<Array<{ bookingId: string; status: string }>> {
  return (await h.google.listEvents(email, { showDeleted: true }))
    .map((e) => ({ bookingId: e.extendedProperties?.private?.bookingCalendarSyncBookingId ?? '', status: e.status ?? '' }))
    .filter((e) => e.bookingId !== '');
}

/** The bulk sync is under way: a booking is in the calendar. */
async function underWay(email: string): Promise<void> {
  await eventually(async () => ((await tagged(email)).length >= 1 ? true : undefined), 'the bulk sync to be under way', 60_000);
}

/** The connection workflow's history, each event as its type and, for a signal, its name. */
async function accountWorkflowHistory(
  connectionId: string,
): Promise<Array<{ type: temporal.api.enums.v1.EventType | null | undefined; signal?: string | null }>> {
  const history = await h.service.client.workflow.getHandle(calendarAccountWorkflowId(connectionId)).fetchHistory();
  return (history.events ?? []).map((e) => ({ type: e.eventType, signal: e.workflowExecutionSignaledEventAttributes?.signalName }));
}

describe('a disconnect or reconnect while a bulk sync runs', () => {
  it(
    'a disconnect removing events cancels the bulk sync; no event of ours is left and nothing is written after',
    { timeout: 120_000 },
    async () => {
      const { userId, ids } = await tutorWithBookings();
      const { connectionId, email } = await h.connectGoogle(userId);
      await underWay(email);
      expect((await h.api('DELETE', `/v1/users/${userId}/connections/${connectionId}?removeEvents=true`)).status).toBe(202);

      // The connection's workflow ends after removing the events and erasing the tokens.
      await h.service.client.workflow.getHandle(calendarAccountWorkflowId(connectionId)).result();
      const bulk = await h.service.client.workflow.getHandle(bulkSyncWorkflowId(connectionId, 1)).describe();
      expect(bulk.status.name).toBe('CANCELLED');
      expect(await accountOf(userId)).toMatchObject({ status: 'disconnected', bulkSync: { state: 'stopped' } });

      const written = await tagged(email);
      expect(written.length).toBeGreaterThanOrEqual(1);
      expect(written.filter((e) => e.status !== 'cancelled')).toEqual([]);
      // Nothing is written after: every booking's workflow has handled all it was asked, and the
      // calendar saw no request since.
      const requests = (await h.google.stats()).byAccount[email]?.requests;
      for (const id of ids) {
        await eventually(async () => ((await getBooking(h, id)).syncState === 'synced' ? true : undefined), `booking ${id} to settle`);
      }
      expect((await h.google.stats()).byAccount[email]?.requests).toBe(requests);
      expect(await tagged(email)).toEqual(written);
    },
  );

  it(
    'a reconnect runs one more bulk sync after the running one; in the end exactly one event per booking',
    { timeout: 120_000 },
    async () => {
      const { userId, ids } = await tutorWithBookings();
      const first = await h.connectGoogle(userId);
      // At once: the first run takes BOOKINGS seconds from its start.
      await eventually(
        async () =>
          (await h.service.client.workflow.getHandle(bulkSyncWorkflowId(first.connectionId, 1)).describe()).status.name === 'RUNNING'
            ? true
            : undefined,
        'the first bulk sync to start',
      );
      const again = await h.connectGoogle(userId, first.email);
      expect(again.connectionId).toBe(first.connectionId);
      const { connectionId, email } = first;

      // The second run is started after the first one ended, and completes.
      const second = await eventually(
        async () => {
          const d = await h.service.client.workflow.getHandle(bulkSyncWorkflowId(connectionId, 2)).describe();
          return d.status.name === 'COMPLETED' ? d : undefined;
        },
        'the second bulk sync to complete',
        90_000,
      );
      expect((await h.service.client.workflow.getHandle(bulkSyncWorkflowId(connectionId, 1)).describe()).status.name).toBe('COMPLETED');
      expect(second.status.name).toBe('COMPLETED');
      // The reconnect landed while the first run was going: its signal comes between the first
      // child's start and its completion in the connection's history.
      const history = await accountWorkflowHistory(connectionId);
      const started = history.findIndex((e) => e.type === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED);
      const completed = history.findIndex((e) => e.type === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED);
      expect(history.filter((e, i) => e.signal === 'connected' && i > started && i < completed)).toHaveLength(1);
      expect(await accountOf(userId)).toMatchObject({
        status: 'active',
        bulkSync: { state: 'completed', total: BOOKINGS, done: BOOKINGS },
      });

      const events = await eventually(async () => {
        const all = await tagged(email);
        return all.length >= BOOKINGS ? all : undefined;
      }, 'every booking in the calendar');
      expect(events.map((e) => e.bookingId).sort()).toEqual([...ids].sort());
      expect(events.every((e) => e.status === 'confirmed')).toBe(true);
    },
  );
});
