import type { RequestBody } from 'calsync-client';

const HOUR = 3_600_000;
/** Lessons in the future (their workflows stay open, as live bookings' do), one hour each. */
const FIRST_LESSON = Date.parse('2031-03-03T08:00:00Z');

/** The booking system's confirm request for the i-th booking of a run between two users. */
export function confirmBody(i: number, tutorId: string, clientId: string): RequestBody<'confirmBooking'> {
  const start = FIRST_LESSON + (i % 5_000) * HOUR;
  return {
    version: 1,
    title: `Lesson ${i}`,
    start: new Date(start).toISOString(),
    end: new Date(start + HOUR).toISOString(),
    timeZone: 'Europe/London',
    participants: [
      { userId: tutorId, role: 'tutor', name: `Tutor ${tutorId}`, email: `${tutorId}@example.com` },
      { userId: clientId, role: 'client', name: `Client ${clientId}`, email: `${clientId}@example.com` },
    ],
  };
}
