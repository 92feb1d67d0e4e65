/** Small iCalendar objects for CalDAV tests. */

/** One VCALENDAR with one VEVENT made of `lines` (DTSTART, RRULE, …), and any extra components (a VTIMEZONE) before it. */
export function icsObject(uid: string, lines: string[], extra: string[] = []): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//booking-calendar-sync//tests//EN',
    ...extra,
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20260101T000000Z',
    ...lines,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** A VTIMEZONE that calls itself `tzid` but is a fixed +05:00: how a hostile server would redefine a real zone. */
export function poisonedZone(tzid: string): string[] {
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${tzid}`,
    'BEGIN:STANDARD',
    'DTSTART:19700101T000000',
    'TZOFFSETFROM:+0500',
    'TZOFFSETTO:+0500',
    'TZNAME:EVIL',
    'END:STANDARD',
    'END:VTIMEZONE',
  ];
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A DAV:multistatus with one member per object (its calendar-data) and a sync token. */
export function multistatus(collectionPath: string, objects: Array<{ name: string; data?: string }>, token: string): string {
  const members = objects
    .map(
      (o) =>
        `<d:response><d:href>${collectionPath}${o.name}</d:href><d:propstat><d:prop><d:getetag>"${o.name}"</d:getetag>` +
        `${o.data === undefined ? '' : `<c:calendar-data>${xmlText(o.data)}</c:calendar-data>`}</d:prop>` +
        '<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>',
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">' +
    `${members}<d:sync-token>${xmlText(token)}</d:sync-token></d:multistatus>`
  );
}
