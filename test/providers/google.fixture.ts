import { randomBytes } from 'node:crypto';
import { GoogleCalendarProvider, GoogleOAuth } from '../../src/providers/google';
import { GoogleSandboxControl, startGoogleSandbox } from 'calendar-emulators/google';
import type { ProviderFixture } from './fixture';

const CLIENT = { clientId: 'conformance-client', clientSecret: 'conformance-secret' };

/** The private extended property naming the booking: written out, as events already in calendars carry it. */
const TAG = 'bookingCalendarSyncBookingId';

export const googleFixture: ProviderFixture = {
  name: 'google',
  async start() {
    const sandbox = await startGoogleSandbox({ port: 0, ...CLIENT });
    const control = new GoogleSandboxControl(sandbox.url);
    const email = `conf-${randomBytes(4).toString('hex')}@sandbox.test`;
    const redirectUri = 'http://127.0.0.1/callback';
    const oauth = new GoogleOAuth({
      ...CLIENT,
      authUrl: `${sandbox.url}/o/oauth2/v2/auth`,
      tokenUrl: `${sandbox.url}/token`,
      revokeUrl: `${sandbox.url}/revoke`,
      apiUrl: sandbox.url,
    });
    const { code } = await control.authorize({ email, clientId: CLIENT.clientId, redirectUri, scope: oauth.scopes.join(' ') });
    const tokens = await oauth.exchangeCode({ code, redirectUri });
    return {
      provider: new GoogleCalendarProvider(sandbox.url),
      ctx: { credentials: { kind: 'bearer', accessToken: tokens.accessToken }, calendarId: 'primary' },
      async ourEvents() {
        return (await control.listEvents(email)).flatMap((e) => {
          const bookingId = e.extendedProperties?.private?.[TAG];
          if (!bookingId || e.status === 'cancelled') return [];
          return [
            {
              bookingId,
              title: e.summary ?? '',
              description: e.description ?? '',
              location: e.location ?? '',
              start: Date.parse(e.start.dateTime!),
              end: Date.parse(e.end.dateTime!),
              reminders: (e.reminders?.overrides ?? []).map((r) => ({ method: r.method, minutes: r.minutes })),
            },
          ];
        });
      },
      async loseNextCreateResponse() {
        await control.addFault({ method: 'POST', path: '/events', account: email, dropResponse: true, times: 1 });
      },
      async changeBeforeNextWrite(_key, externalEventId) {
        await control.updateUserEvent(email, externalEventId, { summary: 'Changed by the user' });
      },
      async addUserEvent(e) {
        const time = (t: string) => (e.allDay ? { date: t } : { dateTime: t, timeZone: 'Europe/London' });
        const created = await control.createUserEvent(email, {
          summary: e.title,
          start: time(e.start),
          end: time(e.end),
          ...(e.free ? { transparency: 'transparent' as const } : {}),
          ...(e.weekly ? { recurrence: [`RRULE:FREQ=WEEKLY;COUNT=${e.weekly}`] } : {}),
        });
        return created.id;
      },
      async deleteUserEvent(itemId) {
        await control.deleteUserEvent(email, itemId);
      },
      async expireCursor(cursor) {
        await control.invalidateSyncTokens(email);
        return cursor;
      },
      expectedReminders: (reminders) => reminders,
      close: () => sandbox.close(),
    };
  },
};
