import { describe, expect, it } from 'vitest';
import { CalendarAccounts, type CalendarAccountWithEmail, type CalendarAccountsDeps } from '../../src/application/calendar-accounts';
import { DecryptionError } from '../../src/crypto/secret-box';
import { SecretUnavailableError } from '../../src/db/sealed-columns';
import { ProviderError, type CalendarInfo, type CalendarProvider } from '../../src/providers';

const USER = 'u1';
const ID = '00000000-0000-4000-8000-000000000001';

function account(overrides: Partial<CalendarAccountWithEmail> = {}): CalendarAccountWithEmail {
  return {
    id: ID,
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
    accountEmail: 'ann@example.com',
    ...overrides,
  };
}

const calendars: CalendarInfo[] = [
  { id: 'primary', name: 'Ann', primary: true, writable: true },
  { id: 'work', name: 'Work', primary: false, writable: true },
  { id: 'holidays', name: 'Holidays', primary: false, writable: false },
];

/** A service over an in-memory account of USER; `calls` lists every write and signal, in order. */
function service(stored: CalendarAccountWithEmail | undefined, listed: () => Promise<CalendarInfo[]> = () => Promise.resolve(calendars)) {
  const calls: string[] = [];
  let row = stored;
  const deps: CalendarAccountsDeps = {
    accounts: {
      listForUserWithEmail: (userId) => Promise.resolve(row && row.userId === userId ? [row] : []),
      upsertCalDav: () => Promise.reject(new Error('not used')),
      reconnectCalDav: () => Promise.reject(new Error('not used')),
      setCalendar: (_id, calendarId) => {
        calls.push(`setCalendar:${calendarId}`);
        row = row && { ...row, calendarId };
        return Promise.resolve();
      },
      setReminders: (_id, reminders) => {
        calls.push(`setReminders:${JSON.stringify(reminders)}`);
        row = row && { ...row, reminders };
        return Promise.resolve();
      },
      setSyncEnabled: (_id, syncEnabled) => {
        calls.push(`setSyncEnabled:${syncEnabled}`);
        row = row && { ...row, syncEnabled };
        return Promise.resolve(row);
      },
      markRemovingEvents: () => {
        calls.push('markRemovingEvents');
        row = row && { ...row, removingEvents: true, syncEnabled: false };
        return Promise.resolve();
      },
    },
    attempts: { tryRecord: () => Promise.resolve({ ok: true }) },
    limits: { maxConnectionsPerUser: 10, connectAttemptsPerHour: 20 },
    workflows: {
      signalConnected: (_a, reconnect) => (calls.push(`connected:${reconnect}`), Promise.resolve()),
      signalDisconnect: (_a, removeEvents) => (calls.push(`disconnect:${removeEvents}`), Promise.resolve()),
      signalPush: (_id, request) => (calls.push(`push:${request}`), Promise.resolve()),
    },
    providers: {
      oauth: () => {
        throw new ProviderError('rejected', 'not configured');
      },
      calendar: (kind) => ({ defaultCalendarId: kind === 'caldav' ? undefined : 'primary' }) as CalendarProvider,
    },
    busy: {
      chooseCalendars: (_id, chosen, { read, counted }) => {
        calls.push(`chooseCalendars:${JSON.stringify(chosen)}:${read.join(',')}:${counted.join(',')}`);
        row = row && { ...row, busyCalendarIds: chosen };
        return Promise.resolve();
      },
    },
    listCalendars: listed,
    icloudCaldavUrl: 'https://caldav.icloud.com',
    discoverCalDav: () => Promise.reject(new Error('not used')),
    logger: { info: () => undefined },
  };
  return { accounts: new CalendarAccounts(deps), calls };
}

describe('CalendarAccounts', () => {
  it("another user's account is not found, and nothing is written or signalled", async () => {
    const { accounts, calls } = service(account({ userId: 'someone-else' }));
    const notFound = { ok: false, error: { code: 'account_not_found', userId: USER, accountId: ID } };
    expect(await accounts.calendars(USER, ID)).toEqual(notFound);
    expect(await accounts.update(USER, ID, { syncEnabled: false })).toEqual(notFound);
    expect(await accounts.disconnect(USER, ID, true)).toEqual(notFound);
    expect(calls).toEqual([]);
  });

  it('a disconnected account has no calendars and cannot be changed', async () => {
    const { accounts, calls } = service(account({ status: 'disconnected' }));
    expect(await accounts.calendars(USER, ID)).toEqual({ ok: false, error: { code: 'account_disconnected' } });
    expect(await accounts.update(USER, ID, { calendarId: 'work' })).toEqual({ ok: false, error: { code: 'account_disconnected' } });
    expect(calls).toEqual([]);
  });

  it('lists the calendars with the one events go to selected', async () => {
    const result = await service(account({ calendarId: 'work' })).accounts.calendars(USER, ID);
    expect(result.ok && result.value.filter((c) => c.selected).map((c) => c.id)).toEqual(['work']);
  });

  it('maps a dead grant to needs-reauth and other provider failures to unavailable', async () => {
    const dead = service(account(), () => Promise.reject(new ProviderError('invalid_grant', 'revoked')));
    expect(await dead.accounts.calendars(USER, ID)).toEqual({ ok: false, error: { code: 'account_needs_reauth' } });
    const down = service(account(), () => Promise.reject(new ProviderError('transient', 'HTTP 503')));
    expect(await down.accounts.update(USER, ID, { calendarId: 'work' })).toEqual({
      ok: false,
      error: { code: 'provider_unavailable', detail: 'HTTP 503' },
    });
    expect(down.calls).toEqual([]);
  });

  it('choosing a calendar stores it and re-syncs every booking; a read-only or unknown one is refused untouched', async () => {
    const { accounts, calls } = service(account());
    expect(await accounts.update(USER, ID, { calendarId: 'holidays' })).toEqual({
      ok: false,
      error: { code: 'calendar_not_writable', calendarName: 'Holidays' },
    });
    expect(await accounts.update(USER, ID, { calendarId: 'nope' })).toEqual({ ok: false, error: { code: 'calendar_not_found' } });
    expect(calls).toEqual([]);
    const result = await accounts.update(USER, ID, { calendarId: 'work' });
    expect(result.ok && result.value.calendarId).toBe('work');
    expect(calls).toEqual(['setCalendar:work', 'chooseCalendars:null:work,primary:work,primary', 'connected:true']);
  });

  it('lists which calendars count for conflicts: by default the primary one and the one events go to', async () => {
    const result = await service(account({ calendarId: 'work' })).accounts.calendars(USER, ID);
    expect(result.ok && result.value.filter((c) => c.countsForConflicts).map((c) => c.id)).toEqual(['primary', 'work']);
    const chosen = await service(account({ busyCalendarIds: ['holidays'] })).accounts.calendars(USER, ID);
    expect(chosen.ok && chosen.value.filter((c) => c.countsForConflicts).map((c) => c.id)).toEqual(['holidays']);
  });

  it('choosing the calendars that count for conflicts takes any readable one (read-only too) and asks for a read', async () => {
    const { accounts, calls } = service(account());
    const result = await accounts.update(USER, ID, { busyCalendarIds: ['holidays', 'work', 'holidays'] });
    expect(result.ok && result.value.busyCalendarIds).toEqual(['holidays', 'work']);
    expect(calls).toEqual(['chooseCalendars:["holidays","work"]:primary,holidays,work:holidays,work', 'push:refresh_busy']);
    const reset = service(account({ busyCalendarIds: ['work'] }), () => Promise.reject(new Error('the provider was asked')));
    expect((await reset.accounts.update(USER, ID, { busyCalendarIds: null })).ok).toBe(true);
    expect(reset.calls).toEqual(['chooseCalendars:null:primary:primary', 'push:refresh_busy']);
    const same = service(account({ busyCalendarIds: ['work', 'primary'] }), () => Promise.reject(new Error('the provider was asked')));
    expect((await same.accounts.update(USER, ID, { busyCalendarIds: ['primary', 'work'] })).ok).toBe(true);
    expect(same.calls).toEqual([]);
  });

  it('a calendar the account cannot read among busyCalendarIds refuses the whole change untouched', async () => {
    const { accounts, calls } = service(account());
    expect(await accounts.update(USER, ID, { calendarId: 'work', syncEnabled: false, busyCalendarIds: ['work', 'someone-elses'] })).toEqual(
      {
        ok: false,
        error: { code: 'busy_calendar_not_found', index: 1 },
      },
    );
    expect(calls).toEqual([]);
  });

  it('choosing the calendar already chosen asks nothing of the provider', async () => {
    const { accounts, calls } = service(account(), () => Promise.reject(new Error('the provider was asked')));
    expect((await accounts.update(USER, ID, { calendarId: 'primary' })).ok).toBe(true);
    expect(calls).toEqual([]);
  });

  it('turning sync back on brings bookings in; turning it off only stores it', async () => {
    const off = service(account());
    expect((await off.accounts.update(USER, ID, { syncEnabled: false })).ok).toBe(true);
    expect(off.calls).toEqual(['setSyncEnabled:false']);
    const on = service(account({ syncEnabled: false }));
    expect((await on.accounts.update(USER, ID, { syncEnabled: true })).ok).toBe(true);
    expect(on.calls).toEqual(['setSyncEnabled:true', 'connected:true']);
  });

  it("reminders within the provider's limit are stored and re-sync every booking; the same ones change nothing", async () => {
    const popup = { method: 'popup', minutes: 30 } as const;
    const six = [1, 2, 3, 4, 5, 6].map((minutes) => ({ method: 'popup' as const, minutes }));
    const google = service(account());
    expect((await google.accounts.update(USER, ID, { reminders: six.slice(0, 5) })).ok).toBe(true);
    expect(google.calls).toEqual([`setReminders:${JSON.stringify(six.slice(0, 5))}`, 'connected:true']);
    const same = service(account({ reminders: [popup] }));
    expect((await same.accounts.update(USER, ID, { reminders: [popup] })).ok).toBe(true);
    expect(same.calls).toEqual([]);
    const reset = service(account({ reminders: [popup] }));
    const result = await reset.accounts.update(USER, ID, { reminders: null });
    expect(result.ok && result.value.reminders).toBe(null);
    expect(reset.calls).toEqual(['setReminders:null', 'connected:true']);
    const both = service(account());
    expect((await both.accounts.update(USER, ID, { calendarId: 'work', reminders: [popup] })).ok).toBe(true);
    expect(both.calls).toEqual([
      'setCalendar:work',
      'chooseCalendars:null:work,primary:work,primary',
      `setReminders:${JSON.stringify([popup])}`,
      'connected:true',
    ]);
  });

  it("reminders beyond the provider's limit are refused naming it, and nothing else in the change is made", async () => {
    const refusal = async (
      overrides: Partial<CalendarAccountWithEmail>,
      reminders: Array<{ method: 'email' | 'popup'; minutes: number }>,
    ) => {
      const { accounts, calls } = service(account(overrides));
      const result = await accounts.update(USER, ID, { calendarId: 'work', syncEnabled: false, reminders });
      expect(calls).toEqual([]);
      return !result.ok && result.error.code === 'reminders_not_supported' ? result.error.message : undefined;
    };
    const six = [1, 2, 3, 4, 5, 6].map((minutes) => ({ method: 'popup' as const, minutes }));
    expect(await refusal({}, six)).toBe('Google Calendar allows at most 5 reminders per event');
    expect(await refusal({ provider: 'microsoft' }, six.slice(0, 2))).toBe('Outlook allows one reminder per event');
    expect(await refusal({ provider: 'microsoft' }, [{ method: 'email', minutes: 60 }])).toContain('Outlook has no e-mail reminders');
    expect(await refusal({ provider: 'caldav' }, six)).toContain('at most 5');
    expect(await refusal({ provider: 'caldav', accountEmail: 'ann' }, [{ method: 'email', minutes: 60 }])).toContain(
      'not an e-mail address',
    );
    expect(await refusal({}, [six[0]!, six[0]!])).toBe('each reminder may be listed once');
  });

  it('disconnect stops sync and signals the workflow; an account already disconnected is left alone', async () => {
    const removing = service(account());
    const result = await removing.accounts.disconnect(USER, ID, true);
    expect(result.ok && result.value.changed).toBe(true);
    expect(result.ok && result.value.account.removingEvents).toBe(true);
    expect(removing.calls).toEqual(['markRemovingEvents', 'disconnect:true']);

    const keeping = service(account());
    await keeping.accounts.disconnect(USER, ID, false);
    expect(keeping.calls).toEqual(['setSyncEnabled:false', 'disconnect:false']);

    const gone = service(account({ status: 'disconnected' }));
    const again = await gone.accounts.disconnect(USER, ID, true);
    expect(again.ok && again.value.changed).toBe(false);
    expect(gone.calls).toEqual([]);
  });

  it('offers only the OAuth providers this deployment configured', () => {
    expect(service(undefined).accounts.connectableProviders()).toEqual({ google: false, microsoft: false });
  });
});

describe('CalendarAccounts: an account whose secrets cannot be opened', () => {
  const unreadable = { ...account({ accountEmail: null }), secretUnavailable: true as const };

  it('is listed in error, saying why, without its address', async () => {
    const { accounts } = service(unreadable);
    const [listed] = await accounts.list(USER);
    expect(listed).toMatchObject({ status: 'error', accountEmail: null, lastError: expect.stringMatching(/encryption key/) });
    expect(listed).not.toHaveProperty('secretUnavailable');
    // Needing re-authentication says more: it stays as it is.
    const parked = service({ ...unreadable, status: 'needs_reauth' });
    expect((await parked.accounts.list(USER))[0]).toMatchObject({ status: 'needs_reauth' });
  });

  it('refuses to list its calendars with the reason instead of failing', async () => {
    const err = new SecretUnavailableError(ID, 'access_token', new DecryptionError('unknown_key', 'no key "old"'));
    const { accounts, calls } = service(account(), () => Promise.reject(err));
    const refused = await accounts.update(USER, ID, { calendarId: 'work' });
    expect(refused).toEqual({ ok: false, error: { code: 'account_error', message: expect.stringMatching(/encryption key/) } });
    expect(calls).toEqual([]);
  });
});
