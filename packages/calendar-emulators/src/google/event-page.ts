import type { RequestHandler } from 'express';
import { searchParams } from './context';
import { findEventOrInstance } from './event-instances';
import { decodeEid, type StoredEvent } from './event-model';
import { errorPage, escapeHtml, page } from './html';
import { findCalendarById, type SandboxState } from './state';

// Where an event's htmlLink points: a read-only view, so links shown to a developer
// running the sandbox lead somewhere instead of to a real Google Calendar.

function when(event: StoredEvent): string {
  const { start, end } = event.content;
  const show = (value: typeof start): string => `${value.date ?? value.dateTime ?? ''}${value.timeZone ? ` (${value.timeZone})` : ''}`;
  return `${show(start)} → ${show(end)}`;
}

function findOrUndefined(find: () => StoredEvent): StoredEvent | undefined {
  try {
    return find();
  } catch {
    return undefined;
  }
}

/** Must run after recurrenceReady: an instance's link names the instance. */
export function eventPage(state: SandboxState): RequestHandler {
  return (req, res) => {
    const eid = searchParams(req).get('eid');
    const ref = eid ? decodeEid(eid) : undefined;
    const calendar = ref ? findCalendarById(state, ref.calendarId) : undefined;
    const event = ref && calendar ? findOrUndefined(() => findEventOrInstance(calendar, ref.eventId)) : undefined;
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    if (!ref || !calendar || !event) {
      res.status(404).type('html').send(errorPage('not_found', 'This event does not exist in the sandbox.'));
      return;
    }
    const rows: Array<[string, string | undefined]> = [
      ['When', when(event)],
      ['Status', event.status],
      ['Location', event.content.location],
      ['Description', event.content.description],
      ['Calendar', calendar.primary ? calendar.id : `${calendar.summary} (${calendar.id})`],
      ['Event id', event.id],
    ];
    const details = rows
      .filter((row): row is [string, string] => row[1] !== undefined)
      .map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`)
      .join('\n');
    res
      .type('html')
      .send(
        page(
          event.content.summary ?? '(No title)',
          `<h1>${escapeHtml(event.content.summary ?? '(No title)')}</h1>\n<dl>\n${details}\n</dl>`,
        ),
      );
  };
}
