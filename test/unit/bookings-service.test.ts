import { describe, expect, it } from 'vitest';
import { Bookings, type BookingRecords, type BookingsDeps, type ExternalEditSeen } from '../../src/application/bookings';
import type { BookingView } from '../../src/domain/booking';
import type { StoredBooking } from '../../src/db/stored-bookings';
import type { BookingLifecycle } from '../../src/temporal/workflow-gateway';
import type { CarriedState } from '../../src/workflows/booking-records';
import type { ConfirmChange, RescheduleChange } from '../../src/workflows/messages';

const confirm: ConfirmChange = {
  version: 1,
  booking: {
    title: 'Lesson',
    start: '2030-01-01T10:00:00Z',
    end: '2030-01-01T11:00:00Z',
    timeZone: 'UTC',
    participants: [{ userId: 'u1', role: 'tutor', name: 'Ann', email: 'ann@example.com' }],
  },
};

const view = (calendars: BookingView['calendars']): BookingView => ({
  bookingId: 'b1',
  status: 'confirmed',
  version: 1,
  title: 'Lesson',
  start: confirm.booking.start,
  end: confirm.booking.end,
  timeZone: 'UTC',
  participants: [{ userId: 'u1', role: 'tutor', name: 'Ann' }],
  syncState: 'synced',
  calendars,
});

interface Fake {
  /** Lifecycles answered in turn; the last one repeats. */
  lifecycles: BookingLifecycle[];
  confirm?: 'sent' | 'id_used';
  signal?: 'sent' | 'not_running';
  workflowView?: BookingView | null;
  recorded?: BookingView | null;
  stored?: StoredBooking | null;
  resume?: 'sent' | 'id_used';
  edits?: Map<string, ExternalEditSeen>;
  now?: number;
}

/** A service over a fake gateway and records; `calls` lists what reached the gateway. */
function service(fake: Fake) {
  const calls: string[] = [];
  let described = 0;
  const workflows: BookingsDeps['workflows'] = {
    confirmBooking: (_id, change) => (calls.push('confirm'), sent.push(change), Promise.resolve(fake.confirm ?? 'sent')),
    rescheduleBooking: (_id, change) => (calls.push('reschedule'), sent.push(change), Promise.resolve(fake.signal ?? 'sent')),
    cancelBooking: () => (calls.push('cancel'), Promise.resolve(fake.signal ?? 'sent')),
    bookingLifecycle: () => Promise.resolve(fake.lifecycles[Math.min(described++, fake.lifecycles.length - 1)]!),
    bookingView: (_id, kind) => (calls.push(`view:${kind}`), Promise.resolve(fake.workflowView ?? null)),
    resumeBooking: (_id, carried, resuming) => {
      calls.push(`resume:${resuming.kind}`);
      resumed.push(carried);
      return Promise.resolve(fake.resume ?? 'sent');
    },
  };
  const resumed: CarriedState[] = [];
  const sent: Array<ConfirmChange | RescheduleChange> = [];
  const records: BookingRecords = {
    recordedView: (_id, gone) => (calls.push(gone ? 'recorded:gone' : 'recorded'), Promise.resolve(fake.recorded ?? null)),
    stored: () => Promise.resolve(fake.stored ?? null),
    externalEdits: () => Promise.resolve(fake.edits ?? new Map<string, ExternalEditSeen>()),
  };
  return {
    bookings: new Bookings({ workflows, records, now: () => fake.now ?? Date.parse('2029-12-01T00:00:00Z') }),
    calls,
    resumed,
    sent,
  };
}

const running = (status: 'confirmed' | 'cancelled' = 'confirmed'): BookingLifecycle => ({ kind: 'running', memo: { status } });
const closed = (status: 'confirmed' | 'cancelled' | 'none'): BookingLifecycle => ({ kind: 'closed', memo: { status } });

describe('Bookings: changes', () => {
  it('confirm is accepted when Temporal records the signal', async () => {
    const { bookings } = service({ lifecycles: [{ kind: 'unknown' }] });
    expect(await bookings.confirm('b1', confirm)).toEqual({ ok: true, value: undefined });
  });

  it('times without seconds or in lower case reach the workflow as the document answers them (seconds, upper-case T and Z)', async () => {
    const { bookings, sent } = service({ lifecycles: [running()] });
    await bookings.confirm('b1', {
      ...confirm,
      booking: { ...confirm.booking, start: '2030-01-01t10:00z', end: '2030-01-01T11:00+01:00' },
    });
    await bookings.reschedule('b1', { version: 2, start: '2030-01-02T10:00:30.5Z', end: '2030-01-02T11:00Z' });
    expect(sent.map((c) => ('booking' in c ? [c.booking.start, c.booking.end] : [c.start, c.end]))).toEqual([
      ['2030-01-01T10:00:00Z', '2030-01-01T11:00:00+01:00'],
      ['2030-01-02T10:00:30.5Z', '2030-01-02T11:00:00Z'],
    ]);
  });

  it('confirm of a booking whose workflow has ended names why: cancelled, or closed otherwise', async () => {
    expect(await service({ confirm: 'id_used', lifecycles: [closed('cancelled')] }).bookings.confirm('b1', confirm)).toEqual({
      ok: false,
      error: 'booking_cancelled',
    });
    expect(await service({ confirm: 'id_used', lifecycles: [closed('confirmed')] }).bookings.confirm('b1', confirm)).toEqual({
      ok: false,
      error: 'booking_closed',
    });
    // Removed between the refused start and the describe: still ended, not unknown.
    expect(await service({ confirm: 'id_used', lifecycles: [{ kind: 'unknown' }] }).bookings.confirm('b1', confirm)).toEqual({
      ok: false,
      error: 'booking_closed',
    });
  });

  it('reschedule and cancel of a booking neither Temporal nor the database knows are refused without a signal', async () => {
    const { bookings, calls } = service({ lifecycles: [{ kind: 'unknown' }] });
    expect(await bookings.reschedule('b1', { start: 'a', end: 'b' })).toEqual({ ok: false, error: 'booking_not_found' });
    expect(await bookings.cancel('b1', {})).toEqual({ ok: false, error: 'booking_not_found' });
    expect(calls).toEqual([]);
  });

  it('a running but cancelled booking cannot be rescheduled', async () => {
    const { bookings, calls } = service({ lifecycles: [running('cancelled')] });
    expect(await bookings.reschedule('b1', { start: 'a', end: 'b' })).toEqual({ ok: false, error: 'booking_cancelled' });
    expect(calls).toEqual([]);
  });

  it('cancelling a cancelled booking is accepted and sends nothing; a closed confirmed one is refused', async () => {
    const cancelled = service({ lifecycles: [closed('cancelled')] });
    expect(await cancelled.bookings.cancel('b1', {})).toEqual({ ok: true, value: undefined });
    expect(cancelled.calls).toEqual([]);
    expect(await service({ lifecycles: [closed('confirmed')] }).bookings.cancel('b1', {})).toEqual({ ok: false, error: 'booking_closed' });
  });

  it('a booking that closes between describe and signal is refused by what it became', async () => {
    const { bookings, calls } = service({ lifecycles: [running(), closed('cancelled')], signal: 'not_running' });
    expect(await bookings.reschedule('b1', { start: 'a', end: 'b' })).toEqual({ ok: false, error: 'booking_cancelled' });
    expect(calls).toEqual(['reschedule']);
  });
});

const stored: StoredBooking = {
  projection: { bookingId: 'b1', status: 'confirmed', version: 1, revision: 3, details: confirm.booking },
  calendars: [
    {
      userId: 'u1',
      connectionId: 'c1',
      provider: 'google',
      state: 'synced',
      revision: 3,
      externalEventId: 'e1',
      calendarId: 'primary',
      syncedAt: '2029-11-01T00:00:00.000Z',
    },
  ],
  invitations: [{ userId: 'u1', method: 'REQUEST', revision: 3, sentAt: '2029-11-01T00:00:00.000Z' }],
};

describe('Bookings: a booking whose workflow Temporal removed', () => {
  it('a cancel resumes it in a new workflow from what the database recorded, its events known by id', async () => {
    const { bookings, calls, resumed } = service({ lifecycles: [{ kind: 'unknown' }], stored });
    expect(await bookings.cancel('b1', { reason: 'ill' })).toEqual({ ok: true, value: undefined });
    expect(calls).toEqual(['resume:cancel']);
    expect(resumed[0]).toEqual({
      desired: { status: 'confirmed', details: confirm.booking, versions: { details: 1, times: 1 } },
      revision: 3,
      savedRevision: 3,
      calendars: [
        {
          userId: 'u1',
          connectionId: 'c1',
          provider: 'google',
          state: 'synced',
          syncedRevision: 3,
          externalEventId: 'e1',
          calendarId: 'primary',
          syncedAt: '2029-11-01T00:00:00.000Z',
        },
      ],
      invitations: [
        {
          userId: 'u1',
          email: 'ann@example.com',
          state: 'synced',
          sentRevision: 3,
          sentMethod: 'REQUEST',
          sentAt: '2029-11-01T00:00:00.000Z',
        },
      ],
    });
  });

  it('a reschedule resumes it the same way', async () => {
    const { bookings, calls } = service({ lifecycles: [{ kind: 'unknown' }], stored });
    expect(await bookings.reschedule('b1', { start: '2030-01-02T10:00:00Z', end: '2030-01-02T11:00:00Z' })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(calls).toEqual(['resume:reschedule']);
  });

  it('answers as its closed workflow did: cancelled stays cancelled, a long-ended booking is closed', async () => {
    const cancelled = { ...stored, projection: { ...stored.projection, status: 'cancelled' as const } };
    const c = service({ lifecycles: [{ kind: 'unknown' }], stored: cancelled });
    expect(await c.bookings.cancel('b1', {})).toEqual({ ok: true, value: undefined });
    expect(await c.bookings.reschedule('b1', { start: 'a', end: 'b' })).toEqual({ ok: false, error: 'booking_cancelled' });
    expect(c.calls).toEqual([]);
    const ended = service({ lifecycles: [{ kind: 'unknown' }], stored, now: Date.parse('2030-01-02T11:00:00Z') });
    expect(await ended.bookings.cancel('b1', {})).toEqual({ ok: false, error: 'booking_closed' });
    expect(ended.calls).toEqual([]);
  });

  it('a cancel that finds the booking resumed and cancelled meanwhile is accepted', async () => {
    const { bookings } = service({ lifecycles: [{ kind: 'unknown' }, closed('cancelled')], stored, resume: 'id_used' });
    expect(await bookings.cancel('b1', {})).toEqual({ ok: true, value: undefined });
  });
});

describe('Bookings: view', () => {
  it('an unknown booking is not found', async () => {
    expect(await service({ lifecycles: [{ kind: 'unknown' }] }).bookings.view('b1')).toEqual({ ok: false, error: 'booking_not_found' });
  });

  it('a booking whose workflow is gone is shown as the database recorded it', async () => {
    const recorded = view([]);
    const { bookings, calls } = service({ lifecycles: [{ kind: 'unknown' }], recorded });
    expect(await bookings.view('b1')).toEqual({ ok: true, value: recorded });
    expect(calls).toEqual(['recorded:gone']);
  });

  it("prefers the workflow's own view and does not read the recorded one", async () => {
    const own = view([]);
    const { bookings, calls } = service({ lifecycles: [closed('confirmed')], workflowView: own });
    expect(await bookings.view('b1')).toEqual({ ok: true, value: own });
    expect(calls).toEqual(['view:closed']);
  });

  it('falls back to the recorded view when no worker answers, and is unavailable without either', async () => {
    const recorded = view([]);
    const fallback = service({ lifecycles: [running()], recorded });
    expect(await fallback.bookings.view('b1')).toEqual({ ok: true, value: recorded });
    expect(fallback.calls).toEqual(['view:running', 'recorded']);
    expect(await service({ lifecycles: [running()] }).bookings.view('b1')).toEqual({ ok: false, error: 'state_unavailable' });
  });

  it("shows a user's edit only on a calendar whose event was written (synced)", async () => {
    const edits = new Map<string, ExternalEditSeen>([
      ['c1', { state: 'removed_externally', changedAt: '2030-01-01T09:00:00.000Z' }],
      ['c2', { state: 'moved_externally', changedAt: '2030-01-01T09:00:00.000Z' }],
    ]);
    const { bookings } = service({
      lifecycles: [running()],
      edits,
      workflowView: view([
        { userId: 'u1', connectionId: 'c1', provider: 'google', state: 'synced' },
        { userId: 'u2', connectionId: 'c2', provider: 'google', state: 'pending' },
      ]),
    });
    const result = await bookings.view('b1');
    expect(result.ok && result.value.calendars).toEqual([
      {
        userId: 'u1',
        connectionId: 'c1',
        provider: 'google',
        state: 'removed_externally',
        externallyChangedAt: '2030-01-01T09:00:00.000Z',
      },
      { userId: 'u2', connectionId: 'c2', provider: 'google', state: 'pending' },
    ]);
  });
});
