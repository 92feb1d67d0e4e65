import type { DesiredBooking } from './booking-records';
import type { ConfirmChange } from './messages';
import { isNewer, maxVersion } from './versions';

/**
 * The desired booking after a confirm (the whole booking as of its `version`), or undefined when
 * it changes nothing: a cancelled booking stays cancelled, and each group of fields (details,
 * times) takes the confirm only when it is newer than what that group last applied. Mutates and
 * returns `desired` when there is one.
 */
export function confirmedBooking(desired: DesiredBooking | null, change: ConfirmChange): DesiredBooking | undefined {
  if (desired?.status === 'cancelled') return undefined;
  if (!desired) {
    return {
      status: 'confirmed',
      details: change.booking,
      versions: { details: change.version ?? null, times: change.version ?? null },
    };
  }
  let changed = false;
  if (isNewer(change.version, desired.versions.details)) {
    const { start: _start, end: _end, timeZone: _timeZone, ...rest } = change.booking;
    desired.details = {
      ...desired.details,
      ...rest,
      description: rest.description,
      location: rest.location,
      meetingUrl: rest.meetingUrl,
      templates: rest.templates,
    };
    desired.versions.details = maxVersion(desired.versions.details, change.version);
    changed = true;
  }
  if (isNewer(change.version, desired.versions.times)) {
    desired.details = { ...desired.details, start: change.booking.start, end: change.booking.end, timeZone: change.booking.timeZone };
    desired.versions.times = maxVersion(desired.versions.times, change.version);
    changed = true;
  }
  return changed ? desired : undefined;
}
