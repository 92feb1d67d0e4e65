import type { Client } from '@microsoft/microsoft-graph-client';
import { bearerToken } from '../types';
import type * as port from '../types';
import { readGraphChanges } from './change-reads';
import { toProviderError } from './errors';
import { tagFilter, transactionIdFor } from './event-tag';
import { graphClient } from './graph-client';
import { GraphPushSubscriptions } from './push-subscriptions';
import type { OutlookReminderChoice } from './reminder-choice';
import { toGraphEvent, type GraphEventBody } from './to-graph-event';

interface GraphEvent {
  id: string;
  '@odata.etag'?: string;
  changeKey?: string;
}

function eventsPath(calendarId: string): string {
  return calendarId === 'primary' ? '/me/calendar/events' : `/me/calendars/${encodeURIComponent(calendarId)}/events`;
}

/** Graph rejects some IANA zones ("a subset" is accepted): then the event is written in UTC. */
function isTimeZoneRejection(err: unknown): boolean {
  const e = toProviderError(err);
  return e.details.status === 400 && /time ?zone/i.test(`${e.details.reason ?? ''} ${e.message}`);
}

/**
 * Outlook events through Microsoft Graph. Identity: the stored event id when we have it; else
 * our extended property, looked up before creating; and `transactionId` on the create itself,
 * so a POST retried after a lost response does not make a second event.
 */
export class MicrosoftCalendarProvider implements port.CalendarProvider {
  readonly kind = 'microsoft' as const;
  /** listCalendars stores the default calendar under the `primary` alias. */
  readonly defaultCalendarId = 'primary';
  /** Graph: 10,000 requests per 10 minutes per mailbox (and 4 at a time). */
  readonly requestsPerSecondPerUser = 16;
  readonly maxConcurrentRequestsPerUser = 4;

  readonly push: GraphPushSubscriptions;

  constructor(
    private readonly graphUrl: string,
    /** Which of the configured reminders Outlook's single reminder is (`MICROSOFT_REMINDER`). */
    private readonly reminderChoice: OutlookReminderChoice = { kind: 'default' },
  ) {
    this.push = new GraphPushSubscriptions(graphUrl);
  }

  async upsertEvent(ctx: port.AccessContext, spec: port.EventSpec, known: { externalEventId?: string }): Promise<port.UpsertOutcome> {
    const patch = (id: string) => (client: Client, body: GraphEventBody) => client.api(`/me/events/${encodeURIComponent(id)}`).patch(body);
    const existingId = known.externalEventId ?? (await this.find(ctx, spec.key));
    if (existingId) {
      const updated = await this.write(ctx, spec, patch(existingId));
      if (updated) return { externalEventId: updated.id, etag: updated['@odata.etag'], action: 'updated' };
      // The stored id is gone (the user deleted it): look again, then create.
      const found = known.externalEventId ? await this.find(ctx, spec.key) : undefined;
      if (found) {
        const again = await this.write(ctx, spec, patch(found));
        if (again) return { externalEventId: again.id, etag: again['@odata.etag'], action: 'updated' };
      }
    }
    const created = await this.write(ctx, spec, (client, body) =>
      client.api(eventsPath(ctx.calendarId)).post({ ...body, transactionId: transactionIdFor(spec.key) }),
    );
    if (!created) throw toProviderError(new Error('Graph answered 404 to creating an event'));
    return { externalEventId: created.id, etag: created['@odata.etag'], action: 'created' };
  }

  /**
   * Sends the event in the booking's zone, asking Graph (`Prefer: outlook.timezone`) to answer
   * in the same zone; or in UTC if Graph refuses that zone. Undefined on 404.
   */
  private async write(
    ctx: port.AccessContext,
    spec: port.EventSpec,
    send: (client: Client, body: GraphEventBody) => Promise<GraphEvent>,
  ): Promise<GraphEvent | undefined> {
    const attempt = (zone: string) =>
      send(graphClient(this.graphUrl, bearerToken(ctx.credentials), zone, ctx.signal), toGraphEvent(spec, zone, this.reminderChoice));
    try {
      return await attempt(spec.timeZone);
    } catch (err) {
      let failure = err;
      if (isTimeZoneRejection(err)) {
        try {
          return await attempt('UTC');
        } catch (retryErr) {
          failure = retryErr;
        }
      }
      const e = toProviderError(failure);
      if (e.kind === 'not_found' && e.details.status === 404) return undefined;
      throw e;
    }
  }

  /** Our event for this key in the calendar, by the extended property. */
  private async find(ctx: port.AccessContext, key: port.EventKey): Promise<string | undefined> {
    try {
      const res = (await graphClient(this.graphUrl, bearerToken(ctx.credentials), undefined, ctx.signal)
        .api(eventsPath(ctx.calendarId))
        .filter(tagFilter(key))
        .select('id')
        .top(2)
        .get()) as { value?: GraphEvent[] };
      return res.value?.[0]?.id;
    } catch (err) {
      const e = toProviderError(err);
      if (e.kind === 'not_found' && e.details.status === 404) return undefined;
      throw e;
    }
  }

  async deleteEvent(ctx: port.AccessContext, key: port.EventKey, known: { externalEventId?: string }): Promise<port.DeleteOutcome> {
    const id = known.externalEventId ?? (await this.find(ctx, key));
    if (!id) return { action: 'already_gone' };
    try {
      await graphClient(this.graphUrl, bearerToken(ctx.credentials), undefined, ctx.signal)
        .api(`/me/events/${encodeURIComponent(id)}`)
        .delete();
      return { action: 'deleted' };
    } catch (err) {
      const e = toProviderError(err);
      // Not an inactive mailbox's 404 (MailboxNotEnabledForRESTAPI): nothing was deleted there.
      if (e.kind === 'not_found') {
        // Stored id gone: make sure no copy of ours remains under another id.
        const other = known.externalEventId ? await this.find(ctx, key) : undefined;
        if (other && other !== id) return this.deleteEvent(ctx, key, { externalEventId: other });
        return { action: 'already_gone' };
      }
      throw e;
    }
  }

  readChanges(ctx: port.AccessContext, window: port.BusyWindow, cursor?: string): Promise<port.CalendarChanges> {
    return readGraphChanges(this.graphUrl, ctx, window, cursor);
  }

  async listCalendars(ctx: Pick<port.AccessContext, 'credentials' | 'signal'>): Promise<port.CalendarInfo[]> {
    try {
      const res = (await graphClient(this.graphUrl, bearerToken(ctx.credentials), undefined, ctx.signal)
        .api('/me/calendars')
        .top(250)
        .get()) as {
        value?: Array<{ id: string; name?: string; isDefaultCalendar?: boolean; canEdit?: boolean }>;
      };
      return (res.value ?? []).map((c) => ({
        id: c.isDefaultCalendar === true ? 'primary' : c.id,
        name: c.name ?? c.id,
        primary: c.isDefaultCalendar === true,
        writable: c.canEdit !== false,
      }));
    } catch (err) {
      throw toProviderError(err);
    }
  }
}
