import { describe, expect, it } from 'vitest';
import {
  CALDAV_NOT_SUPPORTED_MESSAGE,
  CALDAV_UNREACHABLE_MESSAGE,
  connectCalDav,
  reconnectCalDav,
  type CalDavConnectResult,
} from '../../src/account-access/caldav-connect';
import type { CalDavReconnect, CalendarAccount } from '../../src/db/calendar-accounts';
import { ProviderError } from '../../src/providers';

/** Connects with discovery failing as `failure`; what the user is told and what the log got. */
async function connectFailing(failure: ProviderError): Promise<{ result: CalDavConnectResult; logged: unknown[] }> {
  const logged: unknown[] = [];
  const result = await connectCalDav(
    {
      calendarAccounts: { upsertCalDav: () => Promise.reject(new Error('nothing is stored')) },
      icloudCaldavUrl: 'https://caldav.icloud.com',
      maxConnectionsPerUser: 10,
      discover: () => Promise.reject(failure),
      logger: { info: (obj: unknown) => void logged.push(obj) },
      onConnected: () => Promise.reject(new Error('not connected')),
    },
    { userId: 'u1', provider: 'caldav', serverUrl: 'http://10.0.0.1:8080/dav/', username: 'ann', password: 'app-password' },
  );
  return { result, logged };
}

describe('connecting a CalDAV account that fails or is refused', () => {
  it('answers a refused address like an unreachable server, with the details in the log only', async () => {
    const { result, logged } = await connectFailing(
      new ProviderError('rejected', "the CalDAV server's address is refused: 10.0.0.1: private address", { reason: 'address_refused' }),
    );
    expect(result).toEqual({ ok: false, error: 'caldav_unreachable', message: CALDAV_UNREACHABLE_MESSAGE });
    expect(JSON.stringify(logged)).toContain('private address');
    expect(JSON.stringify(logged)).not.toContain('app-password');
  });

  it('never tells the user what the server answered', async () => {
    const odd = await connectFailing(
      new ProviderError('rejected', 'the server does not answer like a CalDAV server (PROPFIND gave 404)', { status: 404 }),
    );
    expect(odd.result).toEqual({ ok: false, error: 'caldav_not_supported', message: CALDAV_NOT_SUPPORTED_MESSAGE });
    expect(JSON.stringify(odd.logged)).toContain('PROPFIND gave 404');
    const down = await connectFailing(new ProviderError('transient', 'the CalDAV server could not be reached (ECONNREFUSED)'));
    expect(down.result).toEqual({ ok: false, error: 'caldav_unreachable', message: CALDAV_UNREACHABLE_MESSAGE });
    for (const message of [CALDAV_UNREACHABLE_MESSAGE, CALDAV_NOT_SUPPORTED_MESSAGE]) expect(message).not.toMatch(/\d{3}|PROPFIND|10\.0/);
  });
});

describe('reconnecting a CalDAV account', () => {
  const calendars = [
    { id: 'https://dav.example.com/ann/home/', name: 'Home', primary: true, writable: true },
    { id: 'https://dav.example.com/ann/lessons/', name: 'Lessons', primary: false, writable: true },
  ];
  /** Reconnects the account held on `calendarId`; what was stored and who was told. */
  async function reconnect(calendarId: string, provider: CalendarAccount['provider'] = 'caldav') {
    const stored: CalDavReconnect[] = [];
    const signalled: Array<[string, boolean]> = [];
    const account = { id: 'conn-1', provider, calendarId };
    const result = await reconnectCalDav(
      {
        calendarAccounts: {
          reconnectCalDav: (id, update) => {
            stored.push(update);
            return Promise.resolve({ ...account, id, calendarId: update.calendarUrl ?? calendarId } as CalendarAccount);
          },
        },
        icloudCaldavUrl: 'https://caldav.icloud.com',
        discover: () => Promise.resolve({ calendars }),
        logger: { info: () => undefined },
        onConnected: (a, created) => {
          signalled.push([a.id, created]);
          return Promise.resolve();
        },
      },
      account,
      { serverUrl: 'https://dav.example.com/', username: 'ann', password: 'new-app-password' },
    );
    return { result, stored, signalled };
  }

  it('keeps the calendar events go to while the server still has it, and resyncs the same account', async () => {
    const { result, stored, signalled } = await reconnect(calendars[1]!.id);
    expect(result.ok).toBe(true);
    expect(stored).toEqual([{ serverUrl: 'https://dav.example.com/', username: 'ann', password: 'new-app-password' }]);
    expect(signalled).toEqual([['conn-1', false]]);
  });

  it("moves to the account's default calendar when the one held is gone", async () => {
    const { stored } = await reconnect('https://dav.example.com/ann/gone/');
    expect(stored[0]?.calendarUrl).toBe(calendars[0]!.id);
  });

  it('refuses an OAuth account without a request to any server', async () => {
    const { result, stored } = await reconnect('primary', 'google');
    expect(result).toMatchObject({ ok: false, error: 'not_reconnectable' });
    expect(stored).toEqual([]);
  });
});
