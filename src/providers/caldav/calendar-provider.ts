import { createCalendarObject, deleteCalendarObject, updateCalendarObject } from 'tsdav';
import { ProviderError } from '../types';
import type * as port from '../types';
import { authHeaders, readObject, TIMEOUT_MS } from './dav';
import { accountFetch, type Transport } from './dav-fetch';
import { readCalDavChanges } from './change-reads';
import { discoverCalDav } from './discover';
import { checkResponse } from './errors';
import { buildIcs, sequenceOf } from './ics';
import { caldavUid, objectUrl } from './uid';

/** Re-read-and-retry rounds when another writer changed the object between read and write. */
const MAX_PRECONDITION_RETRIES = 3;

/** How a server refuses calendar data it will not store (RFC 4791 preconditions: 403; others: 400, 415, 422). */
const REFUSED_DATA = new Set([400, 403, 415, 422]);

/** Where e-mail alarms go: the account's user name, when it is an e-mail address (iCloud's Apple ID is). */
function alarmAddress(credentials: port.Credentials): string | undefined {
  return credentials.kind === 'basic' && credentials.username.includes('@') ? credentials.username : undefined;
}

const options = () => ({ signal: AbortSignal.timeout(TIMEOUT_MS) });

/** A tsdav write: network failures become transient ProviderErrors (statuses are checked by the caller). */
async function write(what: string, send: () => Promise<Response>): Promise<Response> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    throw new ProviderError('transient', `CalDAV ${what} failed on the network (${err instanceof Error ? err.name : 'error'})`);
  }
}

/**
 * Any CalDAV server (and iCloud, its own flavour): our event is `<uid>.ics` in the chosen
 * collection. Create with `If-None-Match: *` (a repeat answers 412 and becomes an update);
 * update and delete with `If-Match` on the ETag just read, re-reading on 412; SEQUENCE goes up
 * on every change. A server that refuses our e-mail alarms gets the event with display alarms.
 */
export class CalDavCalendarProvider implements port.CalendarProvider {
  /** Servers publish no quota; stay gentle. */
  readonly requestsPerSecondPerUser = 5;

  /** `transport`: how requests leave (a `guardedFetch` under the deployment's address policy). */
  constructor(
    readonly kind: Extract<port.ProviderKind, 'caldav' | 'icloud'>,
    private readonly transport: Transport,
  ) {}

  async upsertEvent(ctx: port.AccessContext, spec: port.EventSpec): Promise<port.UpsertOutcome> {
    const url = objectUrl(ctx.calendarId, spec.key);
    const headers = authHeaders(ctx.credentials);
    let emailTo = alarmAddress(ctx.credentials);
    const hasEmailAlarms = (): boolean =>
      emailTo !== undefined && spec.accountReminders === true && spec.reminders.some((r) => r.method === 'email');
    /** Whether the server refused our e-mail alarms (and the next round writes display alarms only). */
    const emailAlarmsRefused = (res: Response): boolean => {
      if (!REFUSED_DATA.has(res.status) || !hasEmailAlarms()) return false;
      emailTo = undefined;
      return true;
    };
    for (let round = 0; ; round++) {
      const current = await readObject(url, ctx.credentials, this.transport, ctx.signal);
      if (!current) {
        const res = await write('create', () =>
          createCalendarObject({
            calendar: { url: ctx.calendarId },
            filename: `${caldavUid(spec.key)}.ics`,
            iCalString: buildIcs(spec, 0, new Date(), emailTo),
            headers,
            fetchOptions: options(),
            fetch: accountFetch(ctx.credentials, this.transport, ctx.signal),
          }),
        );
        if (emailAlarmsRefused(res)) continue;
        if (res.status !== 412 || round >= MAX_PRECONDITION_RETRIES) {
          checkResponse(res, 'create');
          return { externalEventId: url, etag: res.headers.get('etag') ?? undefined, action: 'created' };
        }
        continue; // Created meanwhile (a lost response, another writer): read it and update.
      }
      const res = await write('update', () =>
        updateCalendarObject({
          calendarObject: { url, etag: current.etag, data: buildIcs(spec, sequenceOf(current.data) + 1, new Date(), emailTo) },
          headers,
          fetchOptions: options(),
          fetch: accountFetch(ctx.credentials, this.transport, ctx.signal),
        }),
      );
      if (emailAlarmsRefused(res)) continue;
      if ((res.status === 412 || res.status === 404) && round < MAX_PRECONDITION_RETRIES) continue;
      checkResponse(res, 'update');
      return { externalEventId: url, etag: res.headers.get('etag') ?? undefined, action: 'updated' };
    }
  }

  async deleteEvent(ctx: port.AccessContext, key: port.EventKey): Promise<port.DeleteOutcome> {
    const url = objectUrl(ctx.calendarId, key);
    for (let round = 0; ; round++) {
      const current = await readObject(url, ctx.credentials, this.transport, ctx.signal);
      if (!current) return { action: 'already_gone' };
      const res = await write('delete', () =>
        deleteCalendarObject({
          calendarObject: { url, etag: current.etag },
          headers: authHeaders(ctx.credentials),
          fetchOptions: options(),
          fetch: accountFetch(ctx.credentials, this.transport, ctx.signal),
        }),
      );
      if (res.status === 404 || res.status === 410) return { action: 'already_gone' };
      if (res.status === 412 && round < MAX_PRECONDITION_RETRIES) continue;
      checkResponse(res, 'delete');
      return { action: 'deleted' };
    }
  }

  readChanges(ctx: port.AccessContext, window: port.BusyWindow, cursor?: string): Promise<port.CalendarChanges> {
    return readCalDavChanges({ ...ctx, transport: this.transport }, window, cursor);
  }

  async listCalendars(ctx: Pick<port.AccessContext, 'credentials' | 'signal'>): Promise<port.CalendarInfo[]> {
    const { credentials } = ctx;
    if (credentials.kind !== 'basic') throw new ProviderError('rejected', 'a CalDAV account needs a user name and app password');
    return (await discoverCalDav(credentials, this.transport, ctx.signal)).calendars;
  }
}
