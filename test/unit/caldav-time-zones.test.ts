import { describe, expect, it } from 'vitest';
import { busyOfObject } from '../../src/providers/caldav/busy-times';
import { icsObject, poisonedZone } from '../support/ics-objects';

const window = { from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-12-31T00:00:00Z') };
const ICAL = async () => (await import('ical.js')).default;

/** 10:00 to 11:00 local time on `day` in `tzid`, with no VTIMEZONE in the object. */
const tenOClock = (uid: string, tzid: string, day = '20300501') =>
  icsObject(uid, [`DTSTART;TZID=${tzid}:${day}T100000`, `DTEND;TZID=${tzid}:${day}T110000`]);

describe('CalDAV time zones', () => {
  it("resolve each object's TZIDs with its own VTIMEZONEs, which never reach another object", async () => {
    const ical = await ICAL();
    const hostile = icsObject(
      'hostile',
      ['DTSTART;TZID=Europe/London:20300501T100000', 'DTEND;TZID=Europe/London:20300501T110000'],
      [...poisonedZone('Europe/London')],
    );
    // The hostile object's own times follow its own definition…
    expect(await busyOfObject(ical, hostile, window)).toEqual([{ start: '2030-05-01T05:00:00.000Z', end: '2030-05-01T06:00:00.000Z' }]);
    // …and a later object naming the zone without defining it gets the real Europe/London (BST in May).
    expect(await busyOfObject(ical, tenOClock('victim', 'Europe/London'), window)).toEqual([
      { start: '2030-05-01T09:00:00.000Z', end: '2030-05-01T10:00:00.000Z' },
    ]);
    expect(ical.TimezoneService.get('Europe/London')?.component ?? null).toBeNull();
  });

  it('read a TZID without a VTIMEZONE as the IANA zone of that name, daylight saving included', async () => {
    const ical = await ICAL();
    expect(await busyOfObject(ical, tenOClock('winter', 'Europe/London', '20301201'), window)).toEqual([
      { start: '2030-12-01T10:00:00.000Z', end: '2030-12-01T11:00:00.000Z' },
    ]);
    expect(await busyOfObject(ical, tenOClock('ny', 'America/New_York'), window)).toEqual([
      { start: '2030-05-01T14:00:00.000Z', end: '2030-05-01T15:00:00.000Z' },
    ]);
    // A weekly series keeps its local hour across the change to winter time.
    const weekly = icsObject('weekly', [
      'DTSTART;TZID=Europe/Berlin:20301020T100000',
      'DTEND;TZID=Europe/Berlin:20301020T110000',
      'RRULE:FREQ=WEEKLY;COUNT=2',
    ]);
    expect((await busyOfObject(ical, weekly, window)).map((b) => b.start)).toEqual([
      '2030-10-20T08:00:00.000Z',
      '2030-10-27T09:00:00.000Z',
    ]);
  });

  it('read a TZID that names no IANA zone and has no VTIMEZONE as floating time', async () => {
    const ical = await ICAL();
    const [busy] = await busyOfObject(ical, tenOClock('nowhere', 'Nowhere/Atlantis'), window);
    expect(busy!.start).toBe(new Date(2030, 4, 1, 10).toISOString());
    expect(ical.TimezoneService.has('Nowhere/Atlantis')).toBe(false);
  });
});
