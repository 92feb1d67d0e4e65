import { bearerToken } from '../types';
import type * as port from '../types';
import { readGoogleChanges } from './change-reads';
import { GooglePushChannels } from './push-channels';
import { calendarClient, withToken } from './calendar-client';
import { toProviderError } from './errors';
import { googleEventId } from './event-id';
import { toGoogleEvent } from './to-google-event';

/**
 * Google Calendar events. Identity is the client-chosen event id, so every call here is safe to
 * repeat: an insert that already happened answers 409 `duplicate` and becomes an update; an
 * update of a deleted event (Google keeps it, cancelled) brings it back; deleting twice is fine.
 */
export class GoogleCalendarProvider implements port.CalendarProvider {
  readonly kind = 'google' as const;
  /** listCalendars stores the default calendar under the `primary` alias. */
  readonly defaultCalendarId = 'primary';
  readonly push: GooglePushChannels;

  /** @param requestsPerSecondPerUser Google's default quota is 600 requests per minute per user per project. */
  constructor(
    private readonly apiUrl: string,
    readonly requestsPerSecondPerUser = 10,
  ) {
    this.push = new GooglePushChannels(apiUrl);
  }

  async upsertEvent(ctx: port.AccessContext, spec: port.EventSpec, known: { externalEventId?: string }): Promise<port.UpsertOutcome> {
    const id = googleEventId(spec.key);
    const body = toGoogleEvent(spec, id);
    // When we believe the event exists, update first: one call instead of insert → 409 → update.
    if (known.externalEventId) {
      const updated = await this.update(ctx, id, body);
      if (updated) return updated;
    }
    try {
      const res = await calendarClient(this.apiUrl).events.insert(
        { calendarId: ctx.calendarId, requestBody: body },
        withToken(bearerToken(ctx.credentials), ctx.signal),
      );
      return { externalEventId: res.data.id ?? id, etag: res.data.etag ?? undefined, action: 'created' };
    } catch (err) {
      const e = toProviderError(err);
      if (e.details.status !== 409 || e.details.reason !== 'duplicate') throw e;
    }
    const updated = await this.update(ctx, id, body);
    if (!updated) throw toProviderError(new Error('event vanished between insert and update'));
    return updated;
  }

  /** PUT the whole event; undefined when it never existed. */
  private async update(
    ctx: port.AccessContext,
    id: string,
    body: ReturnType<typeof toGoogleEvent>,
  ): Promise<port.UpsertOutcome | undefined> {
    try {
      const res = await calendarClient(this.apiUrl).events.update(
        { calendarId: ctx.calendarId, eventId: id, requestBody: body },
        withToken(bearerToken(ctx.credentials), ctx.signal),
      );
      return { externalEventId: res.data.id ?? id, etag: res.data.etag ?? undefined, action: 'updated' };
    } catch (err) {
      const e = toProviderError(err);
      if (e.details.status === 404) return undefined;
      throw e;
    }
  }

  async deleteEvent(ctx: port.AccessContext, key: port.EventKey): Promise<port.DeleteOutcome> {
    try {
      await calendarClient(this.apiUrl).events.delete(
        { calendarId: ctx.calendarId, eventId: googleEventId(key), sendUpdates: 'none' },
        withToken(bearerToken(ctx.credentials), ctx.signal),
      );
      return { action: 'deleted' };
    } catch (err) {
      const e = toProviderError(err);
      // 410: already deleted; 404: never created. Either way the calendar is as we want it.
      if (e.details.status === 410 || e.details.status === 404) return { action: 'already_gone' };
      throw e;
    }
  }

  readChanges(ctx: port.AccessContext, window: port.BusyWindow, cursor?: string): Promise<port.CalendarChanges> {
    return readGoogleChanges(this.apiUrl, ctx, window, cursor);
  }

  async listCalendars(ctx: Pick<port.AccessContext, 'credentials' | 'signal'>): Promise<port.CalendarInfo[]> {
    const calendars: port.CalendarInfo[] = [];
    let pageToken: string | undefined;
    try {
      do {
        const res = await calendarClient(this.apiUrl).calendarList.list(
          { minAccessRole: 'reader', maxResults: 250, pageToken },
          withToken(bearerToken(ctx.credentials), ctx.signal),
        );
        for (const c of res.data.items ?? []) {
          if (!c.id) continue;
          calendars.push({
            // The default calendar is stored under Google's `primary` alias (its real id is an e-mail address).
            id: c.primary === true ? 'primary' : c.id,
            name: c.summaryOverride ?? c.summary ?? c.id,
            primary: c.primary === true,
            writable: c.accessRole === 'owner' || c.accessRole === 'writer',
            ...(c.timeZone ? { timeZone: c.timeZone } : {}),
          });
        }
        pageToken = res.data.nextPageToken ?? undefined;
      } while (pageToken);
    } catch (err) {
      throw toProviderError(err);
    }
    return calendars;
  }
}
