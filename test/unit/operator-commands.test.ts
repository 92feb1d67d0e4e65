import { describe, expect, it } from 'vitest';
import { resyncAccounts } from '../../src/application/account-resync';
import { Notifications } from '../../src/application/notifications';
import { historyText, resyncText } from '../../src/cli/operator-output';
import type { CalendarAccount } from '../../src/db/calendar-account-types';
import type { NotificationRecord, NotificationStore } from '../../src/db/notifications';

const USER = 'u1';
const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

function account(n: number, overrides: Partial<CalendarAccount> = {}): CalendarAccount {
  return {
    id: id(n),
    userId: USER,
    provider: 'google',
    status: 'active',
    calendarId: 'primary',
    syncEnabled: true,
    tokenExpiresAt: null,
    tokenIssuedAt: null,
    tokenVersion: 1,
    lastSyncedAt: null,
    lastError: null,
    createdAt: new Date(0),
    bulkSync: null,
    removingEvents: false,
    reminders: null,
    busyCalendarIds: null,
    eventsNotRemoved: null,
    serverUrl: null,
    ...overrides,
  };
}

function resyncDeps(accounts: CalendarAccount[]) {
  const signalled: Array<{ id: string; reconnect: boolean }> = [];
  const looked: string[] = [];
  return {
    signalled,
    looked,
    deps: {
      accounts: {
        get: (key: string) => {
          looked.push(key);
          return Promise.resolve(accounts.find((a) => a.id === key));
        },
        listForUsers: (userIds: string[]) =>
          Promise.resolve(accounts.filter((a) => userIds.includes(a.userId) && a.status !== 'disconnected')),
      },
      workflows: {
        signalConnected: (a: { id: string }, reconnect: boolean) => {
          signalled.push({ id: a.id, reconnect });
          return Promise.resolve();
        },
      },
    },
  };
}

describe('resync', () => {
  it("asks a bulk sync (a reconnect) of each of the user's active accounts with sync on, and says which it skipped", async () => {
    const { deps, signalled, looked } = resyncDeps([
      account(1),
      account(2, { syncEnabled: false }),
      account(3, { status: 'needs_reauth' }),
      account(4),
    ]);
    const result = await resyncAccounts(deps, USER);
    expect(result).toEqual({
      ok: true,
      value: {
        target: 'user',
        userId: USER,
        requested: [id(1), id(4)],
        skipped: [
          { connectionId: id(2), reason: 'sync_off' },
          { connectionId: id(3), reason: 'needs_reauth' },
        ],
      },
    });
    expect(signalled).toEqual([
      { id: id(1), reconnect: true },
      { id: id(4), reconnect: true },
    ]);
    // A user id is never looked up as a connection (connection ids are UUIDs in the database).
    expect(looked).toEqual([]);
    if (result.ok) expect(resyncText(result.value)).toContain('Skipped:\n  ' + id(2) + ' (sync off)');
  });

  it('a connection id names that account alone; a disconnected one is skipped; an unknown id is not found', async () => {
    const { deps, signalled } = resyncDeps([account(1), account(2), account(3, { status: 'disconnected' })]);
    expect(await resyncAccounts(deps, id(2))).toEqual({
      ok: true,
      value: { target: 'connection', userId: USER, requested: [id(2)], skipped: [] },
    });
    expect(await resyncAccounts(deps, id(3))).toMatchObject({ ok: true, value: { requested: [], skipped: [{ reason: 'disconnected' }] } });
    expect(await resyncAccounts(deps, id(9))).toEqual({ ok: false, error: 'not_found' });
    expect(await resyncAccounts(deps, 'someone-else')).toEqual({ ok: false, error: 'not_found' });
    expect(signalled.map((s) => s.id)).toEqual([id(2)]);
  });
});

describe('notification redelivery', () => {
  /** `was`: the status before the redelivery (undefined: no such notification). */
  function notifications(was: 'failed' | 'pending' | undefined, notifyOn = true) {
    const notifyUrl = notifyOn ? 'https://booking.example/notify' : undefined;
    const reopened: string[] = [];
    const started: Array<[string, number, 'join' | 'replace']> = [];
    const record = { id: 'n1', type: 'booking.sync_failed', data: {}, status: 'pending', attempts: 3 } as unknown as NotificationRecord;
    const store = {
      reopen: (id: string) => {
        reopened.push(id);
        return Promise.resolve(was ? { record: { ...record, id }, reopened: was !== 'pending' } : undefined);
      },
    } as unknown as NotificationStore;
    const workflows = {
      deliverNotification: (id: string, retryForMs: number, open: 'join' | 'replace') => {
        started.push([id, retryForMs, open]);
        return Promise.resolve('started' as const);
      },
    };
    return { service: new Notifications({ store, workflows, notifyUrl, retryForMs: 60_000 }), reopened, started };
  }

  it('puts a failed notification back in delivery and starts its workflow with the retry window, replacing a closing run', async () => {
    const { service, started } = notifications('failed');
    expect(await service.redeliver('n1')).toMatchObject({ ok: true, value: { id: 'n1', status: 'pending' } });
    expect(started).toEqual([['n1', 60_000, 'replace']]);
  });

  it('leaves a pending notification to the run delivering it (or starts one when none runs)', async () => {
    const { service, started } = notifications('pending');
    expect(await service.redeliver('n1')).toMatchObject({ ok: true, value: { id: 'n1', status: 'pending' } });
    expect(started).toEqual([['n1', 60_000, 'join']]);
  });

  it('starts nothing for an unknown notification, and touches nothing when NOTIFY_URL is not set', async () => {
    const unknown = notifications(undefined);
    expect(await unknown.service.redeliver('n2')).toEqual({ ok: false, error: 'notification_not_found' });
    expect(unknown.started).toEqual([]);
    const off = notifications('failed', false);
    expect(await off.service.redeliver('n3')).toEqual({ ok: false, error: 'notifications_off' });
    expect(off.reopened).toEqual([]);
    expect(off.started).toEqual([]);
  });
});

describe("booking history's text", () => {
  it('one line per entry, and the cursor of the next page', () => {
    const text = historyText({
      bookingId: 'bk-1',
      entries: [
        {
          kind: 'calendar',
          at: '2030-01-01T00:00:00.000Z',
          operation: 'create',
          outcome: 'ok',
          userId: 'u1',
          connectionId: id(1),
          provider: 'google',
          revision: 1,
        },
        {
          kind: 'notification',
          at: '2030-01-01T00:00:01.000Z',
          notificationId: 'n1',
          type: 'booking.synced',
          status: 'failed',
          attempts: 3,
          lastError: 'NOTIFY_URL answered 500',
          data: {},
        },
      ],
      nextCursor: 'abc',
    });
    expect(text).toBe(
      [
        'History of booking bk-1 (oldest first):',
        `  2030-01-01T00:00:00.000Z  create ok  user=u1  connection=${id(1)}  provider=google  revision=1`,
        '  2030-01-01T00:00:01.000Z  notification booking.synced failed  id=n1  attempts=3  (NOTIFY_URL answered 500)',
        'More: --cursor abc',
        '',
      ].join('\n'),
    );
  });
});
