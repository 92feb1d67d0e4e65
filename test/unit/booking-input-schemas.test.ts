import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  bookingWorkflowInputSchema,
  confirmChangeSchema,
  disconnectRequestSchema,
  instantMillis,
  isTimeZone,
  MAX_VERSION,
  rescheduleChangeSchema,
} from '../../src/domain/booking-input-schemas';

// The schemas the API and the workflows share are pure JavaScript (no Luxon, which the workflow
// bundle leaves out): their date and zone checks agree with Luxon's, which the API used before.

describe('shared booking input schemas', () => {
  it('reads RFC 3339 instants as Luxon does, and refuses days, hours and offsets that do not exist', () => {
    const valid = [
      '2026-03-01T15:00:00Z',
      '2026-03-01T15:00Z',
      '2028-02-29T10:00:00+01:00',
      '2026-01-01t10:00:00.123456789z',
      '2026-01-01T10:00:00.5+05:30',
      '2026-12-31T23:59:59.999-11:45',
      '2026-01-01T10:00:00-00:00',
      '0001-01-01T00:00:00Z',
      '1969-07-20T20:17:40Z',
      '2400-02-29T00:00:00Z',
    ];
    for (const v of valid) expect([v, instantMillis(v)]).toEqual([v, DateTime.fromISO(v).toMillis()]);
    const invalid = [
      '2026-02-29T10:00:00Z',
      '2100-02-29T10:00:00Z',
      '2026-04-31T10:00:00Z',
      '2026-13-01T10:00:00Z',
      '2026-00-10T10:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T23:59:60Z',
      '2026-01-01T10:00:00+24:00',
      '2026-01-01T10:00:00+05:60',
      '2026-01-01T10:00:00',
      '2026-01-01 10:00:00Z',
      '2026-01-01T10:00:00.1234567890Z',
      ' 2026-01-01T10:00:00Z',
    ];
    for (const v of invalid) expect([v, instantMillis(v)]).toEqual([v, undefined]);
  });

  it('knows the IANA zones Luxon knows', () => {
    for (const zone of ['Europe/London', 'America/Argentina/Buenos_Aires', 'UTC', 'utc', 'Etc/GMT+5', 'Nowhere/City', '', 'GMT+25']) {
      expect([zone, isTimeZone(zone)]).toEqual([zone, IANAZone.isValidZone(zone)]);
    }
  });

  it('bounds versions: a whole number from 0 to the largest safe integer', () => {
    const at = (version: unknown) =>
      rescheduleChangeSchema.safeParse({ version, start: '2026-03-01T15:00:00Z', end: '2026-03-01T16:00:00Z' }).success;
    expect([at(0), at(7), at(MAX_VERSION), at(undefined)]).toEqual([true, true, true, true]);
    expect([at(-1), at(1.5), at(MAX_VERSION + 1), at(1e300), at(Infinity), at(NaN), at('7')]).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('takes a confirm signal only in the shape the API sends, and a disconnect only with a boolean', () => {
    const booking = {
      title: 'Lesson',
      start: '2026-03-01T15:00:00Z',
      end: '2026-03-01T16:00:00Z',
      timeZone: 'UTC',
      participants: [{ userId: 'u1', role: 'client', name: 'Ada', email: 'ada@example.test' }],
    };
    expect(confirmChangeSchema.safeParse({ version: 1, booking }).success).toBe(true);
    expect(confirmChangeSchema.safeParse({ version: 1, booking: { ...booking, participants: [] } }).success).toBe(false);
    expect(confirmChangeSchema.safeParse({ version: 1, booking: { ...booking, end: booking.start } }).success).toBe(false);
    expect(confirmChangeSchema.safeParse({ version: 1, booking, extra: true }).success).toBe(false);
    expect(confirmChangeSchema.safeParse({ ...booking, version: 1 }).success).toBe(false);
    expect(disconnectRequestSchema.safeParse({ removeEvents: false }).success).toBe(true);
    for (const bad of [null, undefined, {}, { removeEvents: 'yes' }, { removeEvents: true, also: 1 }]) {
      expect(disconnectRequestSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('a booking whose participants were all erased', () => {
  const booking = { title: 'Maths', start: '2030-01-01T10:00:00Z', end: '2030-01-01T11:00:00Z', timeZone: 'UTC', participants: [] };

  it('is carried across continue-as-new, though a confirm with no participant is refused', () => {
    const carried = {
      desired: { status: 'cancelled', details: booking, versions: { details: null, times: null } },
      revision: 3,
      savedRevision: 3,
      calendars: [],
    };
    expect(bookingWorkflowInputSchema.safeParse({ bookingId: 'b1', carried }).success).toBe(true);
    expect(confirmChangeSchema.safeParse({ booking }).success).toBe(false);
  });
});
