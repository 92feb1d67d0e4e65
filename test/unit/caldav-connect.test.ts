import { describe, expect, it } from 'vitest';
import {
  CALDAV_NOT_SUPPORTED_MESSAGE,
  CALDAV_UNREACHABLE_MESSAGE,
  connectCalDav,
  type CalDavConnectResult,
} from '../../src/account-access/caldav-connect';
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
