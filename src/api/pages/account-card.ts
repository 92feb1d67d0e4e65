import type { CalendarAccountJson } from '../calendar-account-json';
import { caldavReconnectForm, type ReconnectFormValues } from './caldav-reconnect-form';
import { connectForm } from './connect-form';
import { calendarSettingsForms, type CalendarListing } from './calendar-settings-form';
import { escapeHtml } from './layout';
import { providerName } from './provider-names';
import { timeElement } from './time-format';

/**
 * One of the page's inline scripts: a confirmation before disconnecting (the others copy the
 * feed link and write times in the browser's zone). The Content-Security-Policy allows exactly
 * these by their hashes (see http-hardening.ts), nothing else.
 */
export const DISCONNECT_CONFIRM_HANDLER = "return confirm('Disconnect this calendar?')";

const STATUS: Record<string, { label: string; tone: string }> = {
  active: { label: 'Active', tone: 'ok' },
  needs_reauth: { label: 'Needs reconnecting', tone: 'warn' },
  error: { label: 'Error', tone: 'bad' },
  disconnected: { label: 'Disconnected', tone: 'muted' },
};

export interface AccountCardOptions {
  /** What the user typed into a refused reconnect form (the password is never sent back). */
  reconnectForm?: ReconnectFormValues;
  /** The account's calendars for its settings forms (listed for active accounts only). */
  calendars?: CalendarListing;
  /** The zone times are shown in; absent: the browser's (see time-format.ts). */
  timeZone?: string;
  /** Shown in a frame: the pass its reconnect form carries into a new window (see connect-form.ts). */
  windowPass?: string;
}

/** A connected calendar account: its state, reconnect, its settings, disconnect. */
export function accountCard(c: CalendarAccountJson, options: AccountCardOptions = {}): string {
  const status = c.removingEvents ? { label: 'Removing events…', tone: 'warn' } : (STATUS[c.status] ?? { label: c.status, tone: 'muted' });
  const bulk = c.bulkSync
    ? c.bulkSync.state === 'running'
      ? `<p class="muted">Adding your bookings: ${c.bulkSync.done} of ${c.bulkSync.total}</p><progress max="${c.bulkSync.total || 1}" value="${c.bulkSync.done}" aria-label="Bookings added"></progress>`
      : `<p class="muted">${c.bulkSync.done} existing booking${c.bulkSync.done === 1 ? '' : 's'} added.</p>`
    : '';
  // OAuth accounts sign in with their provider again; CalDAV and iCloud take a new app password here.
  const reconnect =
    c.status !== 'needs_reauth'
      ? ''
      : c.provider === 'caldav' || c.provider === 'icloud'
        ? caldavReconnectForm(c, options.reconnectForm)
        : connectForm(c.provider, '<button class="primary" type="submit">Reconnect</button>', options.windowPass);
  const disconnectForm =
    c.status === 'disconnected' || c.removingEvents
      ? ''
      : `<form method="post" action="/settings/disconnect" class="row" onsubmit="${DISCONNECT_CONFIRM_HANDLER}">
  <input type="hidden" name="connectionId" value="${escapeHtml(c.id)}">
  <input type="checkbox" id="remove-events-${escapeHtml(c.id)}" name="removeEvents" value="true" style="width:auto"><label for="remove-events-${escapeHtml(c.id)}" style="margin:0">also remove the events added to it</label>
  <button class="danger" type="submit">Disconnect</button>
</form>`;
  const settings = c.status === 'disconnected' || c.removingEvents ? '' : calendarSettingsForms(c, options.calendars);
  const heading = `heading-${escapeHtml(c.id)}`;
  return `<section class="card" data-connection="${escapeHtml(c.id)}" id="connection-${escapeHtml(c.id)}" aria-labelledby="${heading}">
  <div class="row"><h2 class="grow card-title" id="${heading}">${escapeHtml(providerName(c.provider))}</h2>
  <span class="badge ${status.tone}" data-status="${escapeHtml(c.removingEvents ? 'removing_events' : c.status)}">${escapeHtml(status.label)}</span></div>
  <p>${escapeHtml(c.accountEmail ?? '')}</p>
  <p class="muted">Last synced: ${c.lastSyncedAt ? timeElement(c.lastSyncedAt, options.timeZone) : 'never'}</p>
  ${c.lastError ? `<p class="bad">${escapeHtml(c.lastError)}</p>` : ''}
  ${bulk}
  ${settings}
  <div class="row">${reconnect}${disconnectForm}</div>
</section>`;
}
