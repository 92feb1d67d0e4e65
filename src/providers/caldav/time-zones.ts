import { DateTime, IANAZone } from 'luxon';
import type ICAL from 'ical.js' with { 'resolution-mode': 'import' };

type ICALModule = typeof ICAL;

/** TZID parameters in (unfolded) content lines: `DTSTART;TZID=Europe/London:…`, quoted or not. */
const TZID_PARAM = /;TZID=(?:"([^"]*)"|([^;:\r\n]*))/gi;

/** One ical.js zone class per loaded module (the module is loaded with `import()`). */
const zoneClasses = new WeakMap<ICALModule, new (tzid: string) => ICAL.Timezone>();

/**
 * An IANA zone for ical.js, its offsets from the time zone database (luxon) rather than from a
 * VTIMEZONE component, so no server can redefine it.
 */
function ianaZoneClass(ICAL: ICALModule): new (tzid: string) => ICAL.Timezone {
  let cls = zoneClasses.get(ICAL);
  if (!cls) {
    cls = class IanaTimezone extends ICAL.Timezone {
      constructor(tzid: string) {
        super({ tzid });
      }

      override utcOffset(tt: ICAL.Time): number {
        const { year, month, day, hour, minute, second } = tt;
        return DateTime.fromObject({ year, month, day, hour, minute, second }, { zone: this.tzid }).offset * 60;
      }
    };
    zoneClasses.set(ICAL, cls);
  }
  return cls;
}

/**
 * Parses one calendar object so that its times resolve per object: a TZID the object defines
 * with a VTIMEZONE of its own uses that definition (ical.js looks it up in the object's own
 * tree, and it is never registered anywhere else); a TZID it does not define is read as the IANA
 * zone of that name from the time zone database (clients such as Radicale's users often leave
 * the VTIMEZONE out), and as floating time when no IANA zone has that name.
 *
 * ical.js consults its process-global `TimezoneService` only for TZIDs without a definition in
 * the object, so only IANA zones (built from their names alone) are ever registered there.
 */
export function parseCalendarObject(ICAL: ICALModule, ics: string): ICAL.Component {
  const calendar = ICAL.Component.fromString(ics);
  const own = new Set(calendar.getAllSubcomponents('vtimezone').map((tz) => String(tz.getFirstPropertyValue('tzid'))));
  const unfolded = ics.replace(/\r?\n[ \t]/g, '');
  for (const m of unfolded.matchAll(TZID_PARAM)) {
    const tzid = m[1] ?? m[2] ?? '';
    if (own.has(tzid) || ICAL.TimezoneService.has(tzid) || !IANAZone.isValidZone(tzid)) continue;
    const Zone = ianaZoneClass(ICAL);
    ICAL.TimezoneService.register(new Zone(tzid), tzid);
  }
  return calendar;
}
