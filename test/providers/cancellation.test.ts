import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelledFailure } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { createBusyTimeActivities } from '../../src/activities/busy-times';
import type { CalendarProvider, Credentials, ProviderKind } from '../../src/providers';
import { CalDavCalendarProvider } from '../../src/providers/caldav';
import { guardedFetch } from '../../src/net/guarded-fetch';
import { GoogleCalendarProvider } from '../../src/providers/google';
import { MicrosoftCalendarProvider } from '../../src/providers/microsoft';
import { eventually } from '../support/eventually';
import { accountRow, activityEnv, fakeWorld } from '../unit/activities/fakes';

/**
 * A busy-time read cancelled mid-read ends its HTTP request: each adapter, behind the real
 * activity in a mock activity context, reads a calendar whose server answers the first page
 * (a heartbeat) and then never answers; cancelling the activity must close that request.
 */

interface StubCalendar {
  url: string;
  /** Requests the server received, and whether each was closed by the client before an answer. */
  requests: Array<{ method: string; path: string; abandoned: boolean }>;
  close(): Promise<void>;
}

/** Answers the first request with `firstPage`; every later request is left hanging. */
async function stubCalendar(firstPage: (req: IncomingMessage, res: ServerResponse, base: string) => void): Promise<StubCalendar> {
  const requests: StubCalendar['requests'] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const seen = { method: req.method ?? '', path: req.url ?? '', abandoned: false };
    requests.push(seen);
    res.once('close', () => {
      if (!res.writableFinished) seen.abandoned = true;
    });
    if (requests.length === 1) firstPage(req, res, base);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (res: ServerResponse, body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

interface Case {
  kind: ProviderKind;
  firstPage: (req: IncomingMessage, res: ServerResponse, base: string) => void;
  provider: (url: string) => CalendarProvider;
  account: (url: string) => { calendarId: string; credentials: Credentials };
}

const CASES: Case[] = [
  {
    kind: 'google',
    firstPage: (_req, res) => json(res, { items: [], nextPageToken: 'page-2' }),
    provider: (url) => new GoogleCalendarProvider(url),
    account: () => ({ calendarId: 'primary', credentials: { kind: 'bearer', accessToken: 'access-1' } }),
  },
  {
    kind: 'microsoft',
    firstPage: (_req, res, base) => json(res, { value: [], '@odata.nextLink': `${base}/v1.0/me/calendarView/delta?$skiptoken=2` }),
    provider: (url) => new MicrosoftCalendarProvider(`${url}/v1.0`),
    account: () => ({ calendarId: 'primary', credentials: { kind: 'bearer', accessToken: 'access-1' } }),
  },
  {
    kind: 'caldav',
    // A full read: sync-collection for the current token (answered), then calendar-query (hangs).
    firstPage: (_req, res) =>
      res
        .writeHead(207, { 'content-type': 'application/xml; charset=utf-8' })
        .end('<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:sync-token>token-1</d:sync-token></d:multistatus>'),
    // The stub listens on loopback.
    provider: () => new CalDavCalendarProvider('caldav', guardedFetch(true)),
    account: (url) => ({
      calendarId: `${url}/calendars/ada/default/`,
      credentials: { kind: 'basic', username: 'ada', password: 'app-password', serverUrl: url },
    }),
  },
];

let stub: StubCalendar | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe('a busy-time read cancelled mid-read', () => {
  for (const c of CASES) {
    it(`${c.kind}: heartbeats per page, and cancelling the activity ends its hanging request`, async () => {
      stub = await stubCalendar(c.firstPage);
      const world = fakeWorld();
      const { calendarId, credentials } = c.account(stub.url);
      world.calendarAccounts.put(accountRow({ provider: c.kind, calendarId }), credentials);
      const provider = c.provider(stub.url);
      const activities = createBusyTimeActivities({
        ...world.deps,
        providers: { calendar: () => provider, oauth: () => world.oauth },
      });
      const env = activityEnv();
      let heartbeats = 0;
      env.mock.on('heartbeat', () => (heartbeats += 1));

      const read = env.run(activities, 'refreshBusyTimes', { connectionId: 'conn-1', userId: 'ada' });
      const outcome = read.then(
        () => 'completed',
        (err: unknown) => err,
      );
      const requests = stub.requests;
      // The first page arrived (one heartbeat) and the second request is waiting for an answer.
      await eventually(() => (requests.length === 2 && heartbeats >= 1 ? true : undefined), 'the read to wait on its second page', 10_000);
      expect(requests[1]!.abandoned).toBe(false);

      env.mock.cancel();
      // At once, not when the request's own 20 s timeout ends it.
      await eventually(() => (requests[1]!.abandoned ? true : undefined), 'the hanging request to be closed', 5_000);
      expect(await outcome).toBeInstanceOf(CancelledFailure);
      // Cancelled is not a provider failure: nothing was recorded against the calendar account.
      expect(world.busy.errors).toEqual([]);
    });
  }
});
