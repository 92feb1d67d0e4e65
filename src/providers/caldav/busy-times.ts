import type { BusyInterval, BusyWindow } from '../types';
import { BOOKING_PROPERTY } from './ics';
import type ICAL from 'ical.js' with { 'resolution-mode': 'import' };

type ICALModule = typeof ICAL;
type ICALComponent = ICAL.Component;
/** ical.js's own occurrenceDetails type names its members through imports TypeScript cannot resolve (extensionless, in ESM). */
type OccurrenceDetails = { startDate: ICAL.Time; endDate: ICAL.Time; item: ICAL.Event };

/** Occurrences of one recurring event to step through at most (a guard against unbounded rules). */
const MAX_OCCURRENCES = 200_000;

function isBusy(vevent: ICALComponent): boolean {
  const transp = String(vevent.getFirstPropertyValue('transp') ?? '').toUpperCase();
  const status = String(vevent.getFirstPropertyValue('status') ?? '').toUpperCase();
  return transp !== 'TRANSPARENT' && status !== 'CANCELLED' && vevent.getFirstPropertyValue(BOOKING_PROPERTY.toLowerCase()) === null;
}

/** Parses one calendar object and registers its VTIMEZONEs, so its times can be resolved. */
export function parseObject(ICAL: ICALModule, ics: string): ICALComponent {
  const calendar = ICAL.Component.fromString(ics);
  for (const tz of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  return calendar;
}

/**
 * Busy times in one calendar object (an event, possibly recurring with overridden instances),
 * within the window. Free (TRANSP:TRANSPARENT), cancelled and our own events are left out.
 * `ics` is the object's text, or the object already parsed with `parseObject`.
 */
export function busyOfObject(ICAL: ICALModule, ics: string | ICALComponent, window: BusyWindow): BusyInterval[] {
  const calendar = typeof ics === 'string' ? parseObject(ICAL, ics) : ics;
  const vevents = calendar.getAllSubcomponents('vevent');
  const master = vevents.find((v) => !v.hasProperty('recurrence-id'));
  const exceptions = vevents.filter((v) => v.hasProperty('recurrence-id'));
  const out: BusyInterval[] = [];
  const push = (start: Date, end: Date, component: ICALComponent) => {
    if (!isBusy(component) || end <= window.from || start >= window.to || end <= start) return;
    out.push({ start: start.toISOString(), end: end.toISOString() });
  };
  if (!master) {
    for (const v of exceptions) {
      const e = new ICAL.Event(v);
      push(e.startDate.toJSDate(), e.endDate.toJSDate(), v);
    }
    return out;
  }
  const event = new ICAL.Event(master);
  for (const v of exceptions) event.relateException(v);
  if (!event.isRecurring()) {
    push(event.startDate.toJSDate(), event.endDate.toJSDate(), master);
    return out;
  }
  const it = event.iterator();
  for (let i = 0, next = it.next(); next && i < MAX_OCCURRENCES; i++, next = it.next()) {
    // Stop on the series' own time: one occurrence moved far ahead must not end the others.
    if (next.toJSDate() >= window.to) break;
    const details: OccurrenceDetails = event.getOccurrenceDetails(next);
    push(details.startDate.toJSDate(), details.endDate.toJSDate(), details.item.component);
  }
  return out;
}
