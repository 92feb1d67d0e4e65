import type { BookingActivity } from '../../application/booking-archive';
import type { BookingHistoryEntry } from '../../domain/booking-history';
import { escapeHtml } from './layout';
import { providerName } from './provider-names';
import { timeElement } from './time-format';

const DONE: Record<string, string> = {
  create: 'Added to',
  update: 'Updated in',
  delete: 'Removed from',
  skip: 'Not added to',
  refresh_token: 'Signed in again to',
  disconnect: 'Disconnected from',
};
const VERB: Record<string, string> = {
  create: 'Adding it to',
  update: 'Updating it in',
  delete: 'Removing it from',
  skip: 'Skipping',
  refresh_token: 'Signing in again to',
  disconnect: 'Disconnecting',
};
const NOTICES: Record<string, string> = {
  'booking.sync_failed': 'a calendar could not be updated',
  'booking.conflict_detected': 'something else is in your calendar at that time',
  'booking.removed_externally': 'you deleted the event in your calendar',
  'booking.moved_externally': 'you moved the event in your calendar',
};

/** One history entry in words, for the booking's participant. */
export function historyEntryText(entry: BookingHistoryEntry): string {
  switch (entry.kind) {
    case 'calendar': {
      const where = providerName(entry.provider);
      const detail = entry.detail ? `: ${entry.detail}` : '';
      if (entry.outcome === 'ok') return `${DONE[entry.operation] ?? entry.operation} ${where}${entry.operation === 'skip' ? detail : ''}`;
      const doing = `${VERB[entry.operation] ?? entry.operation} ${where}`;
      if (entry.outcome === 'retrying') return `${doing} failed, it will be tried again${detail}`;
      if (entry.outcome === 'needs_reauth') return `${doing} stopped: the calendar needs reconnecting`;
      return `${doing} failed${detail}`;
    }
    case 'external_edit':
      return `${entry.operation === 'external_move' ? 'You moved' : 'You deleted'} the event in ${providerName(entry.provider)}`;
    case 'notification':
      return `Your booking app was told ${NOTICES[entry.type] ?? entry.type} (${entry.status === 'delivered' ? 'delivered' : entry.status === 'failed' ? 'not delivered' : 'sending'})`;
    case 'invitation':
      return entry.method === 'CANCEL' ? 'Cancellation e-mailed to you' : 'Invitation e-mailed to you';
  }
}

function bookingActivity(a: BookingActivity, timeZone: string | undefined): string {
  const b = a.booking;
  const entries =
    a.entries.length === 0
      ? '<p class="muted">Nothing recorded yet.</p>'
      : `<ol class="history">${a.entries
          .map((e) => `<li data-entry="${escapeHtml(e.kind)}">${timeElement(e.at, timeZone)}: ${escapeHtml(historyEntryText(e))}</li>`)
          .join('')}</ol>`;
  const cancelled = b.status === 'cancelled' ? ' (cancelled)' : '';
  return `<details data-booking="${escapeHtml(b.bookingId)}">
  <summary>${escapeHtml(b.title)}${cancelled}, ${timeElement(b.start, timeZone)}</summary>
  ${entries}
</details>`;
}

/** The user's recent and coming bookings, each with the newest of what happened to its events. */
export function bookingHistorySection(activity: BookingActivity[], timeZone: string | undefined): string {
  const body =
    activity.length === 0
      ? '<p class="muted" data-bookings="none">No recent or upcoming bookings.</p>'
      : `<p class="muted">Open a booking to see the latest changes to its events, newest first.</p>\n${activity.map((a) => bookingActivity(a, timeZone)).join('\n')}`;
  return `<h2 id="booking-activity">Your bookings in your calendars</h2>
<div class="card">
${body}
</div>`;
}
