import { escapeHtml } from './layout';
import { timeElement } from './time-format';

/** A disconnected calendar whose events could not all be removed, shown for a while after. */
export interface EventsLeftView {
  provider: string;
  accountEmail: string | null;
  events: Array<{ bookingId: string; start: string | null; reason: string }>;
}

/** Events a disconnect left in a calendar: the user deletes them there. Times in `timeZone` (absent: the browser's). */
export function eventsLeftNotice(left: EventsLeftView, timeZone?: string): string {
  const n = left.events.length;
  const items = left.events
    .map(
      (e) =>
        `<li data-booking="${escapeHtml(e.bookingId)}">${e.start ? timeElement(e.start, timeZone) : 'date unknown'}: ${escapeHtml(e.reason)}</li>`,
    )
    .join('');
  return `<div class="card warn" role="region" aria-label="Events not removed" data-events-left>
  <p><strong>${n} event${n === 1 ? '' : 's'} could not be removed</strong> from ${escapeHtml(left.accountEmail ?? 'a disconnected calendar')} when it was disconnected. Delete ${n === 1 ? 'it' : 'them'} in your calendar app:</p>
  <ul>${items}</ul>
</div>`;
}
