import { ICalAlarmType, ICalEventStatus, type ICalCalendar, type ICalEvent } from 'ical-generator';
import type { EventSpec } from '../providers/types';

export interface IcsEventInput {
  /** Stable per booking (`<bookingId>@<host>`), the same in feeds and invitations. */
  uid: string;
  /** The booking's revision: raised on every change. */
  sequence: number;
  stamp: Date;
  /** The participant's event as renderEvent made it. */
  spec: EventSpec;
  /** Sets STATUS (CANCELLED or CONFIRMED); absent: no STATUS, as in calendar objects written to CalDAV. */
  cancelled?: boolean;
  /**
   * The CalDAV account's address: an e-mail reminder among the account's own reminders becomes an
   * EMAIL alarm to it (RFC 5545 wants an ATTENDEE there). Absent: every reminder a DISPLAY alarm.
   */
  emailTo?: string;
}

/**
 * One booking as a VEVENT, the same for CalDAV, feeds and invitations: the rendered per-role text,
 * UTC times (RFC 5545 allows them; clients show them in the user's zone), STATUS, and reminders as
 * alarms (see `emailTo`). ical-generator escapes and folds the text.
 */
export function addBookingEvent(calendar: ICalCalendar, input: IcsEventInput): ICalEvent {
  const { spec } = input;
  const event = calendar.createEvent({
    id: input.uid,
    sequence: input.sequence,
    stamp: input.stamp,
    start: new Date(spec.start),
    end: new Date(spec.end),
    summary: spec.title,
    description: spec.description,
    location: spec.location ?? null,
    url: spec.url ?? null,
    timezone: null,
    ...(input.cancelled === undefined ? {} : { status: input.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED }),
  });
  for (const r of spec.reminders) {
    if (r.method === 'email' && spec.accountReminders && input.emailTo) {
      event.createAlarm({
        type: ICalAlarmType.email,
        trigger: r.minutes * 60,
        summary: spec.title,
        description: spec.description || spec.title,
        attendees: [{ email: input.emailTo }],
      });
    } else {
      event.createAlarm({ type: ICalAlarmType.display, trigger: r.minutes * 60, description: spec.title });
    }
  }
  return event;
}
