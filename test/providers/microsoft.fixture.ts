import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { MicrosoftCalendarProvider, MicrosoftOAuth } from '../../src/providers/microsoft';
import { MicrosoftSandboxControl, startMicrosoftSandbox } from 'calendar-emulators/microsoft';
import type { ProviderFixture } from './fixture';

const CLIENT = { clientId: 'conformance-client', clientSecret: 'conformance-secret' };

/** Our single-value extended property, `<bookingId>|<connectionId>`: written out, as events already in calendars carry it. */
const TAG_PROPERTY = 'String {5f3c2a8e-7d4b-4c1a-9e6f-2b8d0c4a1e73} Name bookingCalendarSyncKey';

/** Graph answers in UTC without a zone suffix: `2026-10-25T09:00:00.0000000`. */
function utc(dateTime: string): number {
  return Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(dateTime) ? dateTime : `${dateTime}Z`);
}

export const microsoftFixture: ProviderFixture = {
  name: 'microsoft',
  async start() {
    const sandbox = await startMicrosoftSandbox({ port: 0, ...CLIENT });
    const control = new MicrosoftSandboxControl(sandbox.url);
    const email = `conf-${randomBytes(4).toString('hex')}@contoso.test`;
    const redirectUri = 'http://127.0.0.1/callback';
    const oauth = new MicrosoftOAuth({ ...CLIENT, loginUrl: sandbox.url, tenant: 'common', graphUrl: `${sandbox.url}/v1.0` });
    const { code } = await control.authorize({ email, clientId: CLIENT.clientId, redirectUri, scope: oauth.scopes.join(' ') });
    const tokens = await oauth.exchangeCode({ code, redirectUri });
    return {
      provider: new MicrosoftCalendarProvider(`${sandbox.url}/v1.0`),
      ctx: { credentials: { kind: 'bearer', accessToken: tokens.accessToken }, calendarId: 'primary' },
      async ourEvents() {
        return (await control.listEvents(email)).flatMap((e) => {
          const tag = e.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === TAG_PROPERTY.toLowerCase())?.value;
          if (!tag || e.isCancelled) return [];
          return [
            {
              bookingId: tag.split('|')[0]!,
              title: e.subject,
              description: e.body.content,
              location: e.location.displayName,
              start: utc(e.start.dateTime),
              end: utc(e.end.dateTime),
              reminders: e.isReminderOn ? [{ method: 'popup' as const, minutes: e.reminderMinutesBeforeStart }] : [],
            },
          ];
        });
      },
      async loseNextCreateResponse() {
        await control.addFault({ method: 'POST', path: '/events', account: email, dropResponse: true, times: 1 });
      },
      async changeBeforeNextWrite(_key, externalEventId) {
        await control.updateUserEvent(email, externalEventId, { subject: 'Changed by the user' });
      },
      async addUserEvent(e) {
        // Written in London wall time, as a user there would; a recurring series keeps that wall time.
        const london = (t: string) => DateTime.fromISO(t, { zone: 'utc' }).setZone('Europe/London').toFormat("yyyy-MM-dd'T'HH:mm:ss");
        const time = (t: string) =>
          e.allDay ? { dateTime: `${t}T00:00:00`, timeZone: 'UTC' } : { dateTime: london(t), timeZone: 'Europe/London' };
        const first = DateTime.fromISO(e.start, { zone: 'utc' }).setZone('Europe/London');
        const created = await control.createUserEvent(email, {
          subject: e.title,
          start: time(e.start),
          end: time(e.end),
          isAllDay: e.allDay === true,
          showAs: e.free ? 'free' : 'busy',
          ...(e.weekly
            ? {
                recurrence: {
                  pattern: { type: 'weekly', interval: 1, daysOfWeek: [first.toFormat('cccc').toLowerCase()] },
                  range: {
                    type: 'numbered',
                    startDate: first.toISODate()!,
                    numberOfOccurrences: e.weekly,
                    recurrenceTimeZone: 'Europe/London',
                  },
                },
              }
            : {}),
        });
        return created.id;
      },
      async deleteUserEvent(itemId) {
        await control.deleteUserEvent(email, itemId);
      },
      async expireCursor(cursor) {
        await control.invalidateDeltaTokens(email);
        return cursor;
      },
      // Outlook keeps one reminder: by default the 15-minute one.
      expectedReminders: (reminders) => (reminders.some((r) => r.minutes === 15) ? [{ method: 'popup', minutes: 15 }] : []),
      close: () => sandbox.close(),
    };
  },
};
