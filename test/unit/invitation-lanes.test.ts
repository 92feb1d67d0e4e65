import { describe, expect, it } from 'vitest';
import type { Participant } from '../../src/domain/booking';
import type { DesiredBooking } from '../../src/workflows/booking-records';
import { InvitationLanes } from '../../src/workflows/invitation-lanes';

const person = (userId: string, extra: Partial<Participant> = {}): Participant => ({
  userId,
  role: 'client',
  name: userId,
  email: `${userId}@example.test`,
  ...extra,
});

function desired(participants: Participant[], status: DesiredBooking['status'] = 'confirmed'): DesiredBooking {
  return {
    status,
    details: { title: 'Lesson', start: '2030-01-01T10:00:00Z', end: '2030-01-01T11:00:00Z', timeZone: 'UTC', participants },
    versions: { details: 1, times: 1 },
  };
}

const idle = { hasCalendar: () => false, busy: () => false };

describe('invitation lanes', () => {
  it('sends nothing to a participant with sync: false, and nothing at all when off', () => {
    const lanes = new InvitationLanes();
    const booking = desired([person('a', { sync: false }), person('b')]);
    expect(lanes.plan({ desired: booking, revision: 1, mode: 'off', ...idle })).toEqual([]);
    expect(lanes.plan({ desired: booking, revision: 1, mode: 'unconnected', ...idle })).toEqual([
      { userId: 'b', email: 'b@example.test', method: 'REQUEST' },
    ]);
  });

  it('withdraws an invitation once when the participant turns sync off, and forgets one never sent', () => {
    const lanes = new InvitationLanes();
    const [op] = lanes.plan({ desired: desired([person('a'), person('b')]), revision: 1, mode: 'all', ...idle, busy: (u) => u === 'b' });
    lanes.markSent(op!, 1, '2030-01-01T00:00:00Z');
    const off = desired([person('a', { sync: false }), person('b', { sync: false })]);
    expect(lanes.plan({ desired: off, revision: 2, mode: 'all', ...idle })).toEqual([
      { userId: 'a', email: 'a@example.test', method: 'CANCEL' },
    ]);
    // b's REQUEST was never sent (its lane was busy): nothing to withdraw, and it was deferred.
    expect(lanes.laneFreed('b')).toBe(true);
    expect(lanes.all.map((r) => r.userId)).toEqual(['a']);
    lanes.markSent({ userId: 'a', email: 'a@example.test', method: 'CANCEL' }, 2, '2030-01-01T00:01:00Z');
    expect(lanes.plan({ desired: off, revision: 2, mode: 'all', ...idle })).toEqual([]);
  });

  it('mails nothing once turned off, not even a CANCEL for what it sent', () => {
    const lanes = new InvitationLanes();
    const [op] = lanes.plan({ desired: desired([person('a')]), revision: 1, mode: 'unconnected', ...idle });
    lanes.markSent(op!, 1, '2030-01-01T00:00:00Z');
    expect(lanes.plan({ desired: desired([person('a')], 'cancelled'), revision: 2, mode: 'off', ...idle })).toEqual([]);
    expect(lanes.plan({ desired: desired([person('a')], 'cancelled'), revision: 2, mode: 'unconnected', ...idle })).toEqual([
      { userId: 'a', email: 'a@example.test', method: 'CANCEL' },
    ]);
  });

  it('mails a connected participant only with mode all', () => {
    const booking = desired([person('a')]);
    const connected = { hasCalendar: () => true, busy: () => false };
    expect(new InvitationLanes().plan({ desired: booking, revision: 1, mode: 'unconnected', ...connected })).toEqual([]);
    expect(new InvitationLanes().plan({ desired: booking, revision: 1, mode: 'all', ...connected })).toHaveLength(1);
  });
});
