import type { BusyInterval, BusyWindow } from '../types';
import { BOOKING_PROPERTY } from './ics';
import { CalDavLimitError, ReadBudget } from './limits';
import { parseCalendarObject } from './time-zones';
import type ICAL from 'ical.js' with { 'resolution-mode': 'import' };

type ICALModule = typeof ICAL;
type ICALComponent = ICAL.Component;
/** ical.js's own occurrenceDetails type names its members through imports TypeScript cannot resolve (extensionless, in ESM). */
type OccurrenceDetails = { startDate: ICAL.Time; endDate: ICAL.Time; item: ICAL.Event };

/** Rules that repeat this often are refused: no calendar a person keeps needs them, and one such series is millions of occurrences. */
const REFUSED_FREQUENCIES = new Set(['SECONDLY', 'MINUTELY']);

function isBusy(vevent: ICALComponent): boolean {
  const transp = String(vevent.getFirstPropertyValue('transp') ?? '').toUpperCase();
  const status = String(vevent.getFirstPropertyValue('status') ?? '').toUpperCase();
  return transp !== 'TRANSPARENT' && status !== 'CANCELLED' && vevent.getFirstPropertyValue(BOOKING_PROPERTY.toLowerCase()) === null;
}

/** Parses one calendar object, its time zones resolved per object (see parseCalendarObject). */
export function parseObject(ICAL: ICALModule, ics: string): ICALComponent {
  return parseCalendarObject(ICAL, ics);
}

function refuseDenseRules(master: ICALComponent): void {
  for (const rule of master.getAllProperties('rrule')) {
    const value = rule.getFirstValue() as { freq?: unknown } | null;
    const freq = typeof value?.freq === 'string' ? value.freq.toUpperCase() : '';
    if (REFUSED_FREQUENCIES.has(freq)) throw new CalDavLimitError(`an event repeats ${freq} (more often than hourly)`);
  }
}

/**
 * Busy times in one calendar object (an event, possibly recurring with overridden instances),
 * within the window. Free (TRANSP:TRANSPARENT), cancelled and our own events are left out.
 * `ics` is the object's text, or the object already parsed with `parseObject`. Every interval
 * and every step of a recurrence counts against `budget`, the read's; so does the time taken,
 * and the event loop gets a turn whenever the budget says so. A rule repeating by the second or
 * minute, or a series with more occurrences than the budget allows one object, is a limit error.
 */
export async function busyOfObject(
  ICAL: ICALModule,
  ics: string | ICALComponent,
  window: BusyWindow,
  budget: ReadBudget = new ReadBudget(),
): Promise<BusyInterval[]> {
  const calendar = typeof ics === 'string' ? parseObject(ICAL, ics) : ics;
  const vevents = calendar.getAllSubcomponents('vevent');
  const master = vevents.find((v) => !v.hasProperty('recurrence-id'));
  const exceptions = vevents.filter((v) => v.hasProperty('recurrence-id'));
  const out: BusyInterval[] = [];
  const push = (start: Date, end: Date, component: ICALComponent) => {
    if (!isBusy(component) || end <= window.from || start >= window.to || end <= start) return;
    budget.addInterval();
    out.push({ start: start.toISOString(), end: end.toISOString() });
  };
  if (!master) {
    for (const v of exceptions) {
      const e = new ICAL.Event(v);
      push(e.startDate.toJSDate(), e.endDate.toJSDate(), v);
    }
    return out;
  }
  refuseDenseRules(master);
  const event = new ICAL.Event(master);
  for (const v of exceptions) event.relateException(v);
  if (!event.isRecurring()) {
    push(event.startDate.toJSDate(), event.endDate.toJSDate(), master);
    return out;
  }
  const it = event.iterator();
  const max = budget.limits.maxOccurrencesPerObject;
  for (let i = 0, next = it.next(); next; i++, next = it.next()) {
    // Stop on the series' own time: one occurrence moved far ahead must not end the others.
    if (next.toJSDate() >= window.to) break;
    if (i >= max) throw new CalDavLimitError(`a recurring event has more than ${max} occurrences before ${window.to.toISOString()}`);
    const details: OccurrenceDetails = event.getOccurrenceDetails(next);
    push(details.startDate.toJSDate(), details.endDate.toJSDate(), details.item.component);
    const turn = budget.tick();
    if (turn) await turn;
  }
  return out;
}
