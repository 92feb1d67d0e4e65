import type { StoredEvent } from './event-model';
import { eventsInWindow } from './event-store';
import type { ScheduleRequest } from './schedule-request';
import type { Account } from './state';
import { formatZonedDateTime, type ResolvedZone } from './time-zones';
import type { GraphShowAs } from './types';

// One mailbox's scheduleInformation, as getSchedule answers it: the events of its default
// calendar (Exchange publishes free/busy from there) that overlap the window, series
// expanded into their occurrences with the calendarView code (deleted occurrences are
// gone), each as a scheduleItem with its own times (not cut to the window), plus the
// availabilityView string: one digit per interval from startTime, the strongest status
// of the items overlapping it. Free events are listed too (status `free`, digit 0), as
// Graph lists them; only the owner sees subjects and locations, another mailbox shows
// status and times alone (Exchange's default "can view when I'm busy" sharing).

/** availabilityView digits (Graph's scheduleInformation: 0 free … 4 working elsewhere). */
const DIGIT: Record<GraphShowAs, string> = { free: '0', unknown: '0', tentative: '1', busy: '2', oof: '3', workingElsewhere: '4' };
/** Which status wins a slot: working elsewhere is still available, so it yields to tentative. */
const STRENGTH: Record<GraphShowAs, number> = { free: 0, unknown: 0, workingElsewhere: 1, tentative: 2, busy: 3, oof: 4 };

const WORK_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

interface ZonedTime {
  dateTime: string;
  timeZone: string;
}

export interface ScheduleItem {
  isPrivate?: boolean;
  status: GraphShowAs;
  subject?: string;
  location?: string;
  start: ZonedTime;
  end: ZonedTime;
}

export interface ScheduleInformation {
  scheduleId: string;
  availabilityView: string;
  scheduleItems: ScheduleItem[] | null;
  workingHours?: {
    daysOfWeek: string[];
    startTime: string;
    endTime: string;
    timeZone: { name: string };
  };
  error?: { message: string; responseCode: string };
}

function zoned(ms: number, zone: ResolvedZone): ZonedTime {
  return { dateTime: formatZonedDateTime(ms, zone), timeZone: zone.name };
}

function toItem(event: StoredEvent, zone: ResolvedZone, withDetails: boolean): ScheduleItem {
  const { content } = event;
  const times = { start: zoned(content.start.ms, zone), end: zoned(content.end.ms, zone) };
  if (!withDetails) return { status: content.showAs, ...times };
  return {
    isPrivate: content.sensitivity === 'private',
    status: content.showAs,
    subject: content.subject,
    location: content.location,
    ...times,
  };
}

/** One digit per interval; the last slot may be shorter when the window is not a multiple of it. */
function availabilityView(events: readonly StoredEvent[], request: ScheduleRequest): string {
  const intervalMs = request.intervalMinutes * 60_000;
  let view = '';
  for (let slotStart = request.startMs; slotStart < request.endMs; slotStart += intervalMs) {
    const slotEnd = Math.min(slotStart + intervalMs, request.endMs);
    let strongest: GraphShowAs = 'free';
    for (const event of events) {
      const { start, end, showAs } = event.content;
      if (start.ms < slotEnd && end.ms > slotStart && STRENGTH[showAs] > STRENGTH[strongest]) strongest = showAs;
    }
    view += DIGIT[strongest];
  }
  return view;
}

/** The schedule of a mailbox the sandbox knows; `withDetails` for the caller's own. */
export function mailboxSchedule(
  scheduleId: string,
  account: Account,
  request: ScheduleRequest,
  zone: ResolvedZone,
  withDetails: boolean,
): ScheduleInformation {
  const { mailbox } = account;
  const events = eventsInWindow(mailbox, mailbox.defaultCalendarId, request.startMs, request.endMs);
  return {
    scheduleId,
    availabilityView: availabilityView(events, request),
    scheduleItems: events.map((event) => toItem(event, zone, withDetails)),
    // Mailbox settings are not modelled: every mailbox works Outlook's default hours, in UTC.
    workingHours: { daysOfWeek: [...WORK_DAYS], startTime: '08:00:00.0000000', endTime: '17:00:00.0000000', timeZone: { name: 'UTC' } },
  };
}

/** An address no mailbox of the sandbox has: Exchange cannot resolve it (null items, as Graph answers). */
export function unknownSchedule(scheduleId: string): ScheduleInformation {
  return {
    scheduleId,
    availabilityView: '',
    scheduleItems: null,
    error: {
      message: `Unable to resolve e-mail address <>;SMTP:${scheduleId} to an Active Directory object.`,
      responseCode: 'ErrorMailRecipientNotFound',
    },
  };
}
