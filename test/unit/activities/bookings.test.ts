import { describe, expect, it } from 'vitest';
import { createBookingActivities } from '../../../src/activities/bookings';
import type { BookingProjection } from '../../../src/domain/booking';
import { accountRow, activityEnv, fakeWorld } from './fakes';

const person = (userId: string) => ({ userId, role: 'client', name: userId, email: `${userId}@example.com` });

const PROJECTION: BookingProjection = {
  bookingId: 'b-1',
  status: 'confirmed',
  version: 1,
  revision: 2,
  details: {
    title: 'Maths',
    start: '2030-01-02T10:00:00Z',
    end: '2030-01-02T11:00:00Z',
    timeZone: 'UTC',
    participants: [person('ada'), person('bob'), person('cy'), person('dee')],
  },
};

/** ada syncs; bob's account needs reconnecting (still a target); cy turned sync off; dee has no account. */
function setup() {
  const world = fakeWorld();
  world.calendarAccounts.put(accountRow({ id: 'conn-ada', userId: 'ada' }));
  world.calendarAccounts.put(accountRow({ id: 'conn-bob', userId: 'bob', provider: 'microsoft', status: 'needs_reauth' }));
  world.calendarAccounts.put(accountRow({ id: 'conn-cy', userId: 'cy', syncEnabled: false }));
  return { ...world, activities: createBookingActivities(world.deps) };
}

describe('prepareReconcile', () => {
  it('saves the projection, returns every calendar involved and audits participants no calendar covers', async () => {
    const { activities, bookings, syncLog } = setup();
    const userIds = ['ada', 'bob', 'cy', 'dee'];
    const targets = await activityEnv().run(activities, 'prepareReconcile', { bookingId: 'b-1', userIds, projection: PROJECTION });

    expect(bookings.projections).toEqual([PROJECTION]);
    expect(targets.invitations).toBe('off');
    expect(targets.calendars.map((t) => [t.userId, t.connectionId, t.usable, t.needsReauth, t.syncEnabled])).toEqual([
      ['ada', 'conn-ada', true, false, true],
      ['bob', 'conn-bob', true, true, true],
      ['cy', 'conn-cy', true, false, false],
    ]);
    expect(syncLog.entries).toEqual(
      ['cy', 'dee'].map((userId) => ({
        bookingId: 'b-1',
        userId,
        operation: 'skip',
        outcome: 'ok',
        revision: 2,
        detail: 'no connected calendar',
      })),
    );
  });

  it('audits nothing for a cancelled booking or when the projection did not change', async () => {
    const { activities, bookings, syncLog } = setup();
    const env = activityEnv();
    await env.run(activities, 'prepareReconcile', {
      bookingId: 'b-1',
      userIds: ['dee'],
      projection: { ...PROJECTION, status: 'cancelled' },
    });
    await env.run(activities, 'prepareReconcile', { bookingId: 'b-1', userIds: ['dee'] });

    expect(bookings.projections.map((p) => p.status)).toEqual(['cancelled']);
    expect(syncLog.entries).toEqual([]);
    // Later passes never read a prior: a booking's own row is not one.
    expect(bookings.preparations.map((p) => p.firstPass)).toEqual([false, false]);
  });
});

describe('prepareFirstReconcile', () => {
  it('adopts what the database remembers of the booking and saves nothing', async () => {
    const { activities, bookings } = setup();
    bookings.statuses.set('b-1', { status: 'confirmed', revision: 7 });
    const result = await activityEnv().run(activities, 'prepareFirstReconcile', {
      bookingId: 'b-1',
      userIds: ['ada'],
      projection: PROJECTION,
    });

    expect(result).toEqual({ prior: { status: 'confirmed', revision: 7 }, targets: { calendars: [], invitations: 'off' } });
    expect(bookings.projections).toEqual([]);
    // One round trip: the prior's read and the save that it makes a no-op go together.
    expect(bookings.preparations.map((p) => [p.bookingId, p.firstPass, p.projection])).toEqual([['b-1', true, PROJECTION]]);
  });

  it('prepares as usual when the database remembers nothing', async () => {
    const { activities, bookings } = setup();
    const result = await activityEnv().run(activities, 'prepareFirstReconcile', {
      bookingId: 'b-1',
      userIds: ['ada'],
      projection: PROJECTION,
    });

    expect(result.prior).toBeNull();
    expect(result.targets.calendars.map((t) => t.connectionId)).toEqual(['conn-ada']);
    expect(bookings.projections).toEqual([PROJECTION]);
    expect(bookings.preparations).toHaveLength(1);
  });
});
