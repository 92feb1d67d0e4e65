import { MAX_ACCOUNT_REMINDERS } from '../../events/reminder-limits';
import type { Reminder } from '../../events/reminders';
import type { CalendarAccountJson } from '../calendar-account-json';
import { escapeHtml } from './layout';
import { providerName } from './provider-names';

/** One of an account's calendars, as `CalendarAccounts.calendars` lists it. */
export interface AccountCalendar {
  id: string;
  name: string;
  primary: boolean;
  writable: boolean;
  selected: boolean;
  countsForConflicts: boolean;
}

/** An account's calendars for its forms, or why they could not be listed (a text for the user). */
export type CalendarListing = { ok: true; calendars: AccountCalendar[] } | { ok: false; problem: string };

const METHOD_NAMES: Record<Reminder['method'], string> = { popup: 'Notification', email: 'E-mail' };

/** `90` → `1 hour 30 minutes`. */
export function minutesText(minutes: number): string {
  if (minutes === 0) return 'when it starts';
  const parts: string[] = [];
  const units: Array<[number, string]> = [
    [10080, 'week'],
    [1440, 'day'],
    [60, 'hour'],
    [1, 'minute'],
  ];
  let left = minutes;
  for (const [size, name] of units) {
    const n = Math.floor(left / size);
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    left -= n * size;
  }
  return `${parts.join(' ')} before`;
}

/** The account's reminders in words: its own, none, or the service's default. */
export function remindersText(reminders: Reminder[] | null): string {
  if (reminders === null) return 'the default reminders of this service';
  if (reminders.length === 0) return 'no reminders';
  return reminders.map((r) => `${METHOD_NAMES[r.method]} ${minutesText(r.minutes)}`).join(', ');
}

/**
 * The reminder methods and how many reminders the account's provider takes, as
 * src/events/reminder-limits.ts enforces them: Outlook one notification; CalDAV e-mail
 * reminders only when the user name is an address.
 */
export function reminderChoices(provider: string, accountEmail: string | null): { methods: Reminder['method'][]; max: number } {
  if (provider === 'microsoft') return { methods: ['popup'], max: 1 };
  if ((provider === 'caldav' || provider === 'icloud') && !accountEmail?.includes('@'))
    return { methods: ['popup'], max: MAX_ACCOUNT_REMINDERS };
  return { methods: ['popup', 'email'], max: MAX_ACCOUNT_REMINDERS };
}

const hidden = (id: string) => `<input type="hidden" name="connectionId" value="${escapeHtml(id)}">`;

function calendarPicker(c: CalendarAccountJson, calendars: AccountCalendar[]): string {
  const id = escapeHtml(c.id);
  const choices = calendars.filter((cal) => cal.writable || cal.selected);
  const options = choices
    .map((cal) => {
      const note = cal.primary ? ' (main calendar)' : cal.writable ? '' : ' (read-only now)';
      return `<option value="${escapeHtml(cal.id)}"${cal.selected ? ' selected' : ''}>${escapeHtml(cal.name)}${note}</option>`;
    })
    .join('');
  return `<form method="post" action="/settings/calendar" data-form="calendar">
  ${hidden(c.id)}
  <fieldset><legend>Calendar your bookings are added to</legend>
  <label for="calendar-${id}">Calendar</label>
  <select id="calendar-${id}" name="calendarId">${options}</select>
  <p class="muted">Changing it moves the events already added to the calendar you choose.</p>
  <button type="submit">Save calendar</button></fieldset>
</form>`;
}

function syncToggle(c: CalendarAccountJson): string {
  const state = c.syncEnabled
    ? 'Sync is on: new bookings are added to this calendar.'
    : 'Sync is off: no new bookings are added; the events already added are still kept up to date.';
  return `<form method="post" action="/settings/sync" data-form="sync">
  ${hidden(c.id)}
  <input type="hidden" name="syncEnabled" value="${c.syncEnabled ? 'false' : 'true'}">
  <fieldset><legend>Sync</legend>
  <p data-sync="${c.syncEnabled ? 'on' : 'off'}">${state}</p>
  <button type="submit">${c.syncEnabled ? 'Turn sync off' : 'Turn sync on'}</button></fieldset>
</form>`;
}

function busyChoice(c: CalendarAccountJson, calendars: AccountCalendar[]): string {
  const id = escapeHtml(c.id);
  const boxes = calendars
    .map((cal, i) => {
      const box = `busy-${id}-${i}`;
      return `<div class="row"><input type="checkbox" id="${box}" name="busyCalendarIds" value="${escapeHtml(cal.id)}" style="width:auto"${cal.countsForConflicts ? ' checked' : ''}><label for="${box}" style="margin:0">${escapeHtml(cal.name)}</label></div>`;
    })
    .join('\n  ');
  const now =
    c.busyCalendarIds === null
      ? 'Now: the default, the main calendar and the one your bookings are added to.'
      : 'Now: the calendars checked below.';
  return `<form method="post" action="/settings/busy-calendars" data-form="busy">
  ${hidden(c.id)}
  <fieldset><legend>Calendars that count for conflicts</legend>
  <p class="muted">Busy times in the checked calendars keep you from being booked then. Check at least one. ${now}</p>
  ${boxes}
  <div class="row"><button type="submit" name="choice" value="chosen">Save conflict calendars</button><button type="submit" name="choice" value="default">Use the default</button></div></fieldset>
</form>`;
}

function remindersForm(c: CalendarAccountJson): string {
  const id = escapeHtml(c.id);
  const { methods, max } = reminderChoices(c.provider, c.accountEmail);
  const current = c.reminders ?? [];
  const rows = Array.from({ length: max }, (_, i) => {
    const r = c.reminders === null ? undefined : current[i];
    const options = methods.map((m) => `<option value="${m}"${r?.method === m ? ' selected' : ''}>${METHOD_NAMES[m]}</option>`).join('');
    return `<div class="row"><div class="grow"><label for="rem-min-${id}-${i}">Reminder ${i + 1}: minutes before</label><input id="rem-min-${id}-${i}" name="minutes" type="number" min="0" max="40320" step="1" inputmode="numeric" value="${r ? r.minutes : ''}"></div>
  <div class="grow"><label for="rem-method-${id}-${i}">Reminder ${i + 1}: how</label><select id="rem-method-${id}-${i}" name="method">${options}</select></div></div>`;
  }).join('\n  ');
  const limit =
    c.provider === 'microsoft'
      ? 'Outlook takes one reminder, a notification.'
      : `Up to ${max} reminders, at most four weeks (40320 minutes) before.${methods.includes('email') ? '' : ' E-mail reminders need an account whose user name is an e-mail address.'}`;
  return `<form method="post" action="/settings/reminders" data-form="reminders">
  ${hidden(c.id)}
  <fieldset><legend>Reminders</legend>
  <p data-reminders>Now: ${escapeHtml(remindersText(c.reminders))}.</p>
  <p class="muted">${limit} Leave them all empty for no reminders.</p>
  ${rows}
  <div class="row"><button type="submit" name="choice" value="chosen">Save reminders</button><button type="submit" name="choice" value="default">Use the default reminders</button></div></fieldset>
</form>`;
}

/**
 * A connected account's settings: the calendar bookings go to, sync on or off, the calendars
 * that count for conflicts, reminders. Each form posts the connection id; the routes check it is
 * the session user's.
 */
export function calendarSettingsForms(c: CalendarAccountJson, listing: CalendarListing | undefined): string {
  const calendars = !listing
    ? ''
    : listing.ok
      ? `${calendarPicker(c, listing.calendars)}\n${busyChoice(c, listing.calendars)}`
      : `<p class="warn" data-calendars="unavailable">${escapeHtml(listing.problem)}</p>`;
  const label = `Settings of ${providerName(c.provider)}${c.accountEmail ? ` ${c.accountEmail}` : ''}`;
  return `<section class="settings" aria-label="${escapeHtml(label)}">
${calendars}
${syncToggle(c)}
${remindersForm(c)}
</section>`;
}
