import type { CalendarAccountJson } from '../calendar-account-json';
import { caldavReconnectForm, type ReconnectFormValues } from './caldav-reconnect-form';
import { eventsLeftNotice, type EventsLeftView } from './events-left-notice';
import { feedLinkSection, type FeedLinkView } from './feed-link-section';
import { escapeHtml, page } from './layout';

const PROVIDER_NAMES: Record<string, string> = {
  google: 'Google Calendar',
  microsoft: 'Microsoft Outlook',
  icloud: 'iCloud',
  caldav: 'CalDAV',
};

/**
 * One of the page's two scripts: a confirmation before disconnecting (the other copies the
 * feed link). The Content-Security-Policy allows exactly these handlers by their hashes (see
 * http-hardening.ts), nothing else.
 */
export const DISCONNECT_CONFIRM_HANDLER = "return confirm('Disconnect this calendar?')";

const STATUS: Record<string, { label: string; tone: string }> = {
  active: { label: 'Active', tone: 'ok' },
  needs_reauth: { label: 'Needs reconnecting', tone: 'warn' },
  error: { label: 'Error', tone: 'bad' },
  disconnected: { label: 'Disconnected', tone: 'muted' },
};

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
}

export interface CalDavFormValues {
  provider: string;
  serverUrl: string;
  username: string;
}

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toUTCString().replace(' GMT', ' UTC') : 'never';
}

/**
 * A form that starts an OAuth connect flow: in place, or from a framed page in a new top-level
 * window that the window pass opens the session in.
 */
function connectForm(provider: string, button: string, windowPass: string | undefined): string {
  const fields = `<input type="hidden" name="provider" value="${escapeHtml(provider)}">`;
  if (windowPass === undefined) return `<form method="post" action="/settings/connect">${fields}${button}</form>`;
  return `<form method="post" action="/settings/connect" target="_blank" rel="noopener">${fields}<input type="hidden" name="window" value="${escapeHtml(windowPass)}">${button}</form>`;
}

function accountCard(c: CalendarAccountJson, reconnectForm?: ReconnectFormValues, windowPass?: string): string {
  const status = c.removingEvents ? { label: 'Removing events…', tone: 'warn' } : (STATUS[c.status] ?? { label: c.status, tone: 'muted' });
  const bulk = c.bulkSync
    ? c.bulkSync.state === 'running'
      ? `<p class="muted">Adding your bookings: ${c.bulkSync.done} of ${c.bulkSync.total}</p><progress max="${c.bulkSync.total || 1}" value="${c.bulkSync.done}"></progress>`
      : `<p class="muted">${c.bulkSync.done} existing booking${c.bulkSync.done === 1 ? '' : 's'} added.</p>`
    : '';
  // OAuth accounts sign in with their provider again; CalDAV and iCloud take a new app password here.
  const reconnect =
    c.status !== 'needs_reauth'
      ? ''
      : c.provider === 'caldav' || c.provider === 'icloud'
        ? caldavReconnectForm(c, reconnectForm)
        : connectForm(c.provider, '<button class="primary" type="submit">Reconnect</button>', windowPass);
  const disconnectForm =
    c.status === 'disconnected' || c.removingEvents
      ? ''
      : `<form method="post" action="/settings/disconnect" class="row" onsubmit="${DISCONNECT_CONFIRM_HANDLER}">
  <input type="hidden" name="connectionId" value="${escapeHtml(c.id)}">
  <label class="row" style="margin:0;width:auto"><input type="checkbox" name="removeEvents" value="true" style="width:auto"> also remove the events added to it</label>
  <button class="danger" type="submit">Disconnect</button>
</form>`;
  return `<div class="card" data-connection="${escapeHtml(c.id)}">
  <div class="row"><strong class="grow">${escapeHtml(PROVIDER_NAMES[c.provider] ?? c.provider)}</strong>
  <span class="badge ${status.tone}" data-status="${escapeHtml(c.removingEvents ? 'removing_events' : c.status)}">${escapeHtml(status.label)}</span></div>
  <p>${escapeHtml(c.accountEmail ?? '')}</p>
  <p class="muted">Last synced: ${escapeHtml(when(c.lastSyncedAt))}</p>
  ${c.lastError ? `<p class="bad">${escapeHtml(c.lastError)}</p>` : ''}
  ${bulk}
  <div class="row">${reconnect}${disconnectForm}</div>
</div>`;
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
${view.banner ? `<div class="card ${view.banner.tone}" role="status">${escapeHtml(view.banner.text)}</div>` : ''}
<p class="muted">Your bookings appear in every calendar you connect, and stay up to date when they change.</p>
${(view.eventsLeft ?? []).map(eventsLeftNotice).join('\n')}
${visible.length > 0 ? visible.map((c) => accountCard(c, view.reconnectForm, view.windowPass)).join('\n') : '<div class="card muted">No calendar connected yet.</div>'}
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
${feedLinkSection(view.feedLink)}
${running ? `<meta http-equiv="refresh" content="2;url=/settings">` : ''}`,
  );
}

export function settingsLinkInvalidPage(): string {
  return page(
    'Link expired',
    '<div class="card"><h1 class="bad">This settings link is not valid any more</h1><p>Open your calendar settings again from the app.</p></div>',
  );
}
