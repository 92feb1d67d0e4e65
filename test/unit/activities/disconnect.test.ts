import { describe, expect, it } from 'vitest';
import { createDisconnectActivities } from '../../../src/activities/disconnect';
import { DecryptionError } from '../../../src/crypto/secret-box';
import type { EventsNotRemoved } from '../../../src/db/calendar-accounts';
import { SecretUnavailableError } from '../../../src/db/sealed-columns';
import { accountRow, activityEnv, fakeWorld, NOW } from './fakes';

function setup(status: 'active' | 'needs_reauth' = 'needs_reauth') {
  const world = fakeWorld();
  world.calendarAccounts.put(accountRow({ provider: 'caldav', status }), {
    kind: 'basic',
    username: 'ada',
    password: 'app-password',
    serverUrl: 'https://dav.example.com',
  });
  const marked: Array<EventsNotRemoved | undefined> = [];
  world.calendarAccounts.revocableToken = () => Promise.resolve(undefined);
  world.calendarAccounts.markDisconnected = (_id, report) => {
    marked.push(report);
    return Promise.resolve();
  };
  world.calendarEvents.leftInCalendar = () =>
    Promise.resolve([
      { bookingId: 'bk-1', userId: 'ada', provider: 'caldav', start: new Date('2030-05-01T15:00:00Z') },
      { bookingId: 'bk-2', userId: 'ada', provider: 'caldav', start: null },
    ]);
  return { ...world, marked, activities: createDisconnectActivities(world.deps) };
}

describe('disconnect activities', () => {
  it('blocks removal from an account that needs reconnecting or whose sign-in cannot be read, not from a usable one', async () => {
    const env = activityEnv();
    const input = { connectionId: 'conn-1' };
    expect(await env.run(setup().activities, 'eventRemovalBlocked', input)).toEqual({
      blockedBecause: expect.stringContaining('reconnected'),
    });
    expect(await env.run(setup('active').activities, 'eventRemovalBlocked', input)).toEqual({});
    const unreadable = setup('active');
    unreadable.calendarAccounts.getWithCredentials = () =>
      Promise.reject(new SecretUnavailableError('conn-1', 'password', new DecryptionError('unknown_key', 'no key k9')));
    expect(await env.run(unreadable.activities, 'eventRemovalBlocked', input)).toEqual({
      blockedBecause: expect.stringContaining('cannot be read'),
    });
  });

  it('keeps what a removal left, each event with why, and writes each to the sync log', async () => {
    const { activities, marked, syncLog } = setup();
    await activityEnv().run(activities, 'finalizeDisconnect', {
      connectionId: 'conn-1',
      removal: { stoppedBecause: 'needs reconnecting', refused: [{ bookingId: 'bk-2', reason: 'refused: 403' }] },
    });

    expect(marked).toEqual([
      {
        at: new Date(NOW).toISOString(),
        events: [
          { bookingId: 'bk-1', start: '2030-05-01T15:00:00.000Z', reason: 'needs reconnecting' },
          { bookingId: 'bk-2', start: null, reason: 'refused: 403' },
        ],
      },
    ]);
    expect(syncLog.entries.map((e) => [e.operation, e.outcome, e.bookingId, e.detail])).toEqual([
      ['disconnect', 'ok', undefined, 'no token to revoke; 2 event(s) left in the calendar'],
      ['delete', 'failed', 'bk-1', 'not removed at disconnect: needs reconnecting'],
      ['delete', 'failed', 'bk-2', 'not removed at disconnect: refused: 403'],
    ]);
  });

  it('keeps no report when no removal was asked, and finishes when the stored grant cannot be read', async () => {
    const { activities, marked, calendarAccounts, syncLog } = setup();
    calendarAccounts.revocableToken = () =>
      Promise.reject(new SecretUnavailableError('conn-1', 'refresh_token', new DecryptionError('unknown_key', 'no key k9')));
    await activityEnv().run(activities, 'finalizeDisconnect', { connectionId: 'conn-1' });

    expect(marked).toEqual([undefined]);
    expect(syncLog.entries.map((e) => e.detail)).toEqual(['the stored grant cannot be read: not revoked']);
  });
});
