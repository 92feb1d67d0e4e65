import { DateTime, IANAZone } from 'luxon';

// Time zones as Graph takes and gives them: `start`/`end` are a wall-clock `dateTime`
// without offset plus a `timeZone` that is a Windows name ("Pacific Standard Time") or
// an IANA one ("America/Los_Angeles"); responses use 7-digit fractions
// ("2026-10-25T09:00:00.0000000"), in UTC unless `Prefer: outlook.timezone` says otherwise.

/**
 * Common Windows zone names and the IANA zone CLDR maps each to (windowsZones.xml, the
 * "001" territory). Names are matched case-insensitively.
 */
const WINDOWS_TO_IANA: Readonly<Record<string, string>> = {
  UTC: 'UTC',
  'Dateline Standard Time': 'Etc/GMT+12',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Alaskan Standard Time': 'America/Anchorage',
  'Pacific Standard Time': 'America/Los_Angeles',
  'US Mountain Standard Time': 'America/Phoenix',
  'Mountain Standard Time': 'America/Denver',
  'Central Standard Time': 'America/Chicago',
  'Central Standard Time (Mexico)': 'America/Mexico_City',
  'Canada Central Standard Time': 'America/Regina',
  'Eastern Standard Time': 'America/New_York',
  'US Eastern Standard Time': 'America/Indianapolis',
  'Atlantic Standard Time': 'America/Halifax',
  'Newfoundland Standard Time': 'America/St_Johns',
  'SA Pacific Standard Time': 'America/Bogota',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'Argentina Standard Time': 'America/Buenos_Aires',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'GMT Standard Time': 'Europe/London',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Central European Standard Time': 'Europe/Warsaw',
  'Romance Standard Time': 'Europe/Paris',
  'W. Central Africa Standard Time': 'Africa/Lagos',
  'GTB Standard Time': 'Europe/Bucharest',
  'FLE Standard Time': 'Europe/Kiev',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'Egypt Standard Time': 'Africa/Cairo',
  'Israel Standard Time': 'Asia/Jerusalem',
  'Turkey Standard Time': 'Europe/Istanbul',
  'Russian Standard Time': 'Europe/Moscow',
  'Arab Standard Time': 'Asia/Riyadh',
  'Arabian Standard Time': 'Asia/Dubai',
  'Pakistan Standard Time': 'Asia/Karachi',
  'India Standard Time': 'Asia/Calcutta',
  'Bangladesh Standard Time': 'Asia/Dhaka',
  'SE Asia Standard Time': 'Asia/Bangkok',
  'China Standard Time': 'Asia/Shanghai',
  'Singapore Standard Time': 'Asia/Singapore',
  'Taipei Standard Time': 'Asia/Taipei',
  'W. Australia Standard Time': 'Australia/Perth',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'Cen. Australia Standard Time': 'Australia/Adelaide',
  'E. Australia Standard Time': 'Australia/Brisbane',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'New Zealand Standard Time': 'Pacific/Auckland',
};

const WINDOWS_BY_LOWER_NAME = new Map(Object.entries(WINDOWS_TO_IANA).map(([name, iana]) => [name.toLowerCase(), iana]));

/** A zone as the caller named it, and the IANA zone the sandbox computes with. */
export interface ResolvedZone {
  name: string;
  iana: string;
}

export const UTC_ZONE: ResolvedZone = { name: 'UTC', iana: 'UTC' };

/**
 * A Windows name from the table above or an IANA region name ("Europe/Paris", also "UTC"
 * and "Etc/…"); undefined for anything else, which Graph refuses with
 * TimeZoneNotSupportedException. Abbreviations such as "EST" or "CET" are not accepted.
 */
export function resolveZone(name: string): ResolvedZone | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return undefined;
  const windows = WINDOWS_BY_LOWER_NAME.get(trimmed.toLowerCase());
  if (windows !== undefined) return { name: trimmed, iana: windows };
  const regionLike = trimmed.includes('/') || /^(utc|gmt)$/i.test(trimmed);
  return regionLike && IANAZone.isValidZone(trimmed) ? { name: trimmed, iana: trimmed } : undefined;
}

const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * Epoch milliseconds of a `dateTimeTimeZone` pair. The wall-clock time is read in `zone`;
 * a value that carries its own offset (`…Z`, `…+02:00`) is taken as that instant.
 * Undefined when it is not a date-time at all.
 */
export function parseZonedDateTime(dateTime: string, zone: ResolvedZone): number | undefined {
  const match = LOCAL_DATE_TIME.exec(dateTime.trim());
  if (!match) return undefined;
  const parsed =
    match[2] === undefined ? DateTime.fromISO(match[1] ?? '', { zone: zone.iana }) : DateTime.fromISO(dateTime.trim(), { setZone: true });
  return parsed.isValid ? parsed.toMillis() : undefined;
}

/**
 * Epoch milliseconds of a query-string instant (`startDateTime`, `endDateTime`): an ISO
 * 8601 date-time whose offset is honoured, read as UTC without one (Graph's rule, whatever
 * `Prefer: outlook.timezone` says). A `+` that the query string turned into a space is restored.
 */
export function parseQueryInstant(value: string): number | undefined {
  return parseZonedDateTime(value.trim().replace(/ (\d{2}:\d{2})$/, '+$1'), UTC_ZONE);
}

/** `2026-10-25T09:00:00.0000000`: the wall-clock time of `ms` in the zone, as Graph writes it. */
export function formatZonedDateTime(ms: number, zone: ResolvedZone): string {
  return `${DateTime.fromMillis(ms, { zone: zone.iana }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}0000`;
}

/** True when `ms` is midnight on the wall clock of the zone (all-day events must start and end there). */
export function isMidnight(ms: number, zone: ResolvedZone): boolean {
  const local = DateTime.fromMillis(ms, { zone: zone.iana });
  return local.hour === 0 && local.minute === 0 && local.second === 0 && local.millisecond === 0;
}

/** `2026-10-25T09:00:00.1230000Z`: Graph's createdDateTime / lastModifiedDateTime format. */
export function formatUtcTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_match, millis: string) => `.${millis}0000Z`);
}
