import { escapeHtml } from './layout';

/** How instants are written on the pages: a fixed pattern, the zone's offset always shown. */
const TIME_FORMAT: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
};
const LOCALE = 'en-GB';

/**
 * The page's one script element: without a zone from the settings link, the times are written
 * in UTC on the server and rewritten here in the browser's own zone (which the server cannot
 * know). Allowed by its hash in the Content-Security-Policy (see http-hardening.ts).
 */
export const LOCAL_TIME_SCRIPT = `(function () {
  var options = ${JSON.stringify(TIME_FORMAT)};
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var format = new Intl.DateTimeFormat('${LOCALE}', options);
  document.querySelectorAll('time[data-local]').forEach(function (t) { t.textContent = format.format(new Date(t.getAttribute('datetime'))); });
  document.querySelectorAll('[data-zone-name]').forEach(function (e) { e.textContent = zone + ' (this browser\\u2019s time zone)'; });
})();`;

/** `iso` written in `timeZone` (UTC when none), e.g. `Wed, 1 May 2030, 20:30 GMT+05:30`. */
export function formatInstant(iso: string, timeZone?: string): string {
  const text = new Intl.DateTimeFormat(LOCALE, { ...TIME_FORMAT, timeZone: timeZone ?? 'UTC' }).format(new Date(iso));
  return timeZone ? text : text.replace(/GMT(\+00:00)?$/, 'UTC');
}

/**
 * A `<time>` element: in the link's zone when there is one; otherwise in UTC, marked for the
 * script to rewrite in the browser's zone.
 */
export function timeElement(iso: string, timeZone?: string): string {
  const machine = new Date(iso).toISOString();
  return `<time datetime="${machine}"${timeZone ? '' : ' data-local'}>${escapeHtml(formatInstant(machine, timeZone))}</time>`;
}

/** Says which zone the page's times are in (the script names the browser's). */
export function timeZoneNote(timeZone?: string): string {
  const zone = timeZone ? `<strong>${escapeHtml(timeZone)}</strong>` : '<strong data-zone-name>UTC</strong>';
  return `<p class="muted" id="time-zone">Times on this page are shown in ${zone}.</p>`;
}

/** The script, only when the browser's zone is wanted. */
export function localTimeScript(timeZone?: string): string {
  return timeZone ? '' : `<script>${LOCAL_TIME_SCRIPT}</script>`;
}
