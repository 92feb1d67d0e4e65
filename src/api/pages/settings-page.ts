import type { BookingActivity } from '../../application/booking-archive';
import type { CalendarAccountJson } from '../calendar-account-json';
import { accountCard } from './account-card';
import { connectForm } from './connect-form';
import { bookingHistorySection } from './booking-history-section';
import type { ReconnectFormValues } from './caldav-reconnect-form';
import type { CalendarListing } from './calendar-settings-form';
import { eventsLeftNotice, type EventsLeftView } from './events-left-notice';
import { feedLinkSection, type FeedLinkView } from './feed-link-section';
import { escapeHtml, page } from './layout';
import { localTimeScript, timeZoneNote } from './time-format';

export { DISCONNECT_CONFIRM_HANDLER } from './account-card';

export interface SettingsView {
  connections: CalendarAccountJson[];
  providers: { google: boolean; microsoft: boolean };
  feedLink: FeedLinkView;
  banner?: { tone: 'ok' | 'bad'; text: string };
  /** What the user typed into a refused CalDAV form (the password is never sent back). */
  caldavForm?: CalDavFormValues;
  /** What the user typed into a refused reconnect form (the password is never sent back). */
  reconnectForm?: ReconnectFormValues;
  /** Calendars disconnected lately whose events could not all be removed. */
  eventsLeft?: EventsLeftView[];
  /**
   * Shown in a frame: the pass its connect forms carry into the new window they open (the
   * providers' consent pages refuse to be framed, and the frame's cookie stays in the frame).
   */
  windowPass?: string;
  /** Each active account's calendars (by connection id), for its settings forms. */
  calendars?: Record<string, CalendarListing>;
  /** The user's recent and coming bookings with their latest history. */
  activity?: BookingActivity[];
  /** The zone the settings link asked for; absent: the browser's. */
  timeZone?: string;
}

export interface CalDavFormValues {
  provider: string;
  serverUrl: string;
  username: string;
}

/** The end user's calendar settings: their calendar accounts, connect buttons, disconnect, their feed link. */
export function settingsPage(view: SettingsView): string {
  const visible = view.connections.filter((c) => c.status !== 'disconnected');
  const running = visible.some((c) => c.bulkSync?.state === 'running' || c.removingEvents);
  const form = view.caldavForm;
  const connectButton = (provider: 'google' | 'microsoft', label: string) =>
    view.providers[provider]
      ? connectForm(provider, `<button class="primary" type="submit">Connect ${label}</button>`, view.windowPass)
      : `<button type="button" disabled title="Not available">Connect ${label}</button>`;
  const newWindowNote =
    view.windowPass !== undefined && (view.providers.google || view.providers.microsoft)
      ? '<p class="muted" data-new-window>Google and Microsoft sign-in opens in a new window. When you are done there, <a href="/settings">refresh this page</a>.</p>'
      : '';
  return page(
    'Calendar settings',
    `<h1>Your calendars</h1>
<div role="status" id="banner">${view.banner ? `<div class="card ${view.banner.tone}">${escapeHtml(view.banner.text)}</div>` : ''}</div>
<p class="muted">Your bookings appear in every calendar you connect, and stay up to date when they change.</p>
${timeZoneNote(view.timeZone)}
${(view.eventsLeft ?? []).map((left) => eventsLeftNotice(left, view.timeZone)).join('\n')}
${
  visible.length > 0
    ? visible
        .map((c) =>
          accountCard(c, {
            reconnectForm: view.reconnectForm,
            calendars: view.calendars?.[c.id],
            timeZone: view.timeZone,
            windowPass: view.windowPass,
          }),
        )
        .join('\n')
    : '<div class="card muted">No calendar connected yet.</div>'
}
${bookingHistorySection(view.activity ?? [], view.timeZone)}
<h2>Connect a calendar</h2>
<div class="card row">${connectButton('google', 'Google Calendar')}${connectButton('microsoft', 'Microsoft Outlook')}</div>
${newWindowNote}
<h2>iCloud or another CalDAV calendar</h2>
<form class="card" method="post" action="/settings/caldav">
  <p class="muted">For iCloud, create an app-specific password at appleid.apple.com and use it here.</p>
  <label for="kind">Calendar</label>
  <select id="kind" name="provider"><option value="icloud">iCloud</option><option value="caldav"${form?.provider === 'caldav' ? ' selected' : ''}>Other CalDAV server</option></select>
  <label for="serverUrl">Server URL (CalDAV only)</label><input id="serverUrl" name="serverUrl" type="url" placeholder="https://caldav.example.com" value="${escapeHtml(form?.serverUrl ?? '')}">
  <label for="username">User name</label><input id="username" name="username" autocomplete="username" value="${escapeHtml(form?.username ?? '')}">
  <label for="password">App password</label><input id="password" name="password" type="password" autocomplete="current-password">
  <p><button type="submit">Connect</button></p>
</form>
${feedLinkSection({ ...view.feedLink, ...(view.timeZone ? { timeZone: view.timeZone } : {}) })}
${running ? `<meta http-equiv="refresh" content="2;url=/settings">` : ''}
${localTimeScript(view.timeZone)}`,
  );
}

export function settingsLinkInvalidPage(): string {
  return page(
    'Link expired',
    '<div class="card"><h1 class="bad">This settings link is not valid any more</h1><p>Open your calendar settings again from the app.</p></div>',
  );
}
