import { DateTime } from 'luxon';
import type { EventSpec } from '../types';
import { TAG_PROPERTY_ID, tagValue } from './event-tag';
import { pickReminder, type OutlookReminderChoice } from './reminder-choice';

export interface GraphEventBody {
  subject: string;
  body: { contentType: 'text'; content: string };
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  location: { displayName: string };
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
  showAs: 'busy';
  singleValueExtendedProperties: Array<{ id: string; value: string }>;
  transactionId?: string;
}

const WALL_TIME = "yyyy-MM-dd'T'HH:mm:ss";

/**
 * Graph takes wall time plus a zone, with no offset. A wall time that occurs twice (the hour
 * repeated when clocks go back) cannot say which one is meant, so then the event is written in
 * UTC: the right instant matters more than the zone it is labelled with.
 */
function graphTimes(
  spec: EventSpec,
  timeZone: string,
): { start: { dateTime: string; timeZone: string }; end: { dateTime: string; timeZone: string } } {
  const start = DateTime.fromISO(spec.start, { setZone: true }).setZone(timeZone);
  const end = DateTime.fromISO(spec.end, { setZone: true }).setZone(timeZone);
  const zone = start.getPossibleOffsets().length > 1 || end.getPossibleOffsets().length > 1 ? 'UTC' : timeZone;
  return {
    start: { dateTime: start.setZone(zone).toFormat(WALL_TIME), timeZone: zone },
    end: { dateTime: end.setZone(zone).toFormat(WALL_TIME), timeZone: zone },
  };
}

export function toGraphEvent(spec: EventSpec, timeZone: string, reminderChoice?: OutlookReminderChoice): GraphEventBody {
  // The account's own reminder is one popup at most (checked when set): MICROSOFT_REMINDER picks among EVENT_REMINDERS only.
  const reminder = spec.accountReminders ? spec.reminders[0] : pickReminder(spec.reminders, reminderChoice);
  return {
    subject: spec.title,
    body: { contentType: 'text', content: spec.description },
    ...graphTimes(spec, timeZone),
    location: { displayName: spec.location ?? '' },
    isReminderOn: reminder !== undefined,
    reminderMinutesBeforeStart: reminder?.minutes ?? 0,
    showAs: 'busy',
    singleValueExtendedProperties: [{ id: TAG_PROPERTY_ID, value: tagValue(spec.key) }],
  };
}
