import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
import type { SandboxMessage } from 'calendar-emulators/smtp';
import { expect } from 'vitest';

/** What a calendar app acts on in an invitation mail. */
export interface Itip {
  method: string;
  uid: string;
  sequence: number;
  status: string;
  start: number;
  end: number;
  summary: string;
  organizer: string;
  attendees: string[];
}

/** Messages whose calendar parts are about the booking. */
export function mailsAbout(messages: SandboxMessage[], bookingId: string): SandboxMessage[] {
  return messages.filter((m) => m.calendars.some((c) => c.content.includes(bookingId)));
}

/**
 * A reader of a message's iTIP object as a calendar app reads it (ical.js), which also checks
 * that the inline and the attached copies are the same. Async: ical.js is an ES module and this
 * project is CommonJS.
 */
export async function itipReader(): Promise<(message: SandboxMessage) => Itip> {
  const ICAL: typeof ICALModule = (await import('ical.js')).default;
  return (message) => {
    const inline = message.calendars.find((c) => c.contentType === 'text/calendar' && c.disposition === 'inline');
    const attached = message.calendars.find((c) => c.disposition === 'attachment' && c.filename === 'invite.ics');
    expect(inline, 'an inline text/calendar part').toBeDefined();
    expect(attached, 'an attached invite.ics').toBeDefined();
    expect(attached!.content).toBe(inline!.content);
    const calendar = ICAL.Component.fromString(inline!.content);
    const method = String(calendar.getFirstPropertyValue('method'));
    expect(inline!.method).toBe(method);
    const events = calendar.getAllSubcomponents('vevent');
    expect(events).toHaveLength(1);
    const vevent = events[0]!;
    const event = new ICAL.Event(vevent);
    return {
      method,
      uid: event.uid,
      sequence: event.sequence,
      status: String(vevent.getFirstPropertyValue('status')),
      start: event.startDate.toJSDate().getTime(),
      end: event.endDate.toJSDate().getTime(),
      summary: event.summary,
      organizer: String(vevent.getFirstPropertyValue('organizer')).toLowerCase(),
      attendees: vevent.getAllProperties('attendee').map((p) => String(p.getFirstValue()).toLowerCase()),
    };
  };
}
