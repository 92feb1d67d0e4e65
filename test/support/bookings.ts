import type { BookingView } from '../../src/domain/booking';
import type { GoogleEventResource } from 'calendar-emulators/google';
import type { RequestBody } from 'calsync-client';
import { eventually, type Harness } from './harness';

export interface TestParticipant {
  userId: string;
  role: string;
  name: string;
  email: string;
  sync?: boolean;
}

export type ConfirmRequest = RequestBody<'confirmBooking'>;

/** A valid confirm body (typed for `h.client`), or with `over` outside the schema one `h.api` can send. */
export function confirmBody(participants: TestParticipant[], over?: Partial<ConfirmRequest>): ConfirmRequest;
export function confirmBody(participants: TestParticipant[], over: Record<string, unknown>): Record<string, unknown>;
export function confirmBody(participants: TestParticipant[], over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Algebra lesson',
    description: "Bring last week's homework.",
    start: '2030-05-01T15:00:00Z',
    end: '2030-05-01T16:00:00Z',
    timeZone: 'Europe/London',
    location: 'Library room 2',
    meetingUrl: 'https://meet.example.com/algebra',
    participants,
    ...over,
  };
}

export async function getBooking(h: Harness, bookingId: string): Promise<BookingView> {
  const res = await h.api<BookingView>('GET', `/v1/bookings/${bookingId}`);
  if (res.status !== 200) throw new Error(`GET booking: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Waits until the workflow reports every calendar settled and `accept` holds for the view. */
export function settled(
  h: Harness,
  bookingId: string,
  accept: (v: BookingView) => boolean = () => true,
  timeoutMs?: number,
): Promise<BookingView> {
  let seen: BookingView | undefined;
  return eventually(
    async () => {
      const v = await getBooking(h, bookingId);
      seen = v;
      return v.syncState === 'synced' && accept(v) ? v : undefined;
    },
    `booking ${bookingId} to settle`,
    timeoutMs,
  ).catch((err: unknown) => {
    // What the last read showed says which of the two conditions never held.
    const last = seen && {
      syncState: seen.syncState,
      start: seen.start,
      calendars: seen.calendars.map((c) => [c.state, c.lastError ?? '']),
    };
    throw new Error(`${err instanceof Error ? err.message : String(err)}; last seen: ${JSON.stringify(last)}`);
  });
}

/** Our events for a booking in a sandbox calendar (cancelled ones included when asked). */
export async function eventsFor(h: Harness, email: string, bookingId: string, showDeleted = false): Promise<GoogleEventResource[]> {
  const all = await h.google.listEvents(email, { showDeleted });
  return all.filter((e) => e.extendedProperties?.private?.bookingCalendarSyncBookingId === bookingId);
}

export type ConnectedParticipant = TestParticipant & { calendar: string; connectionId: string };

/** A tutor and a client, each with a fresh sandbox Google calendar. */
export async function connectedPair(h: Harness): Promise<{ tutor: ConnectedParticipant; client: ConnectedParticipant }> {
  const tutorId = h.id('tutor');
  const clientId = h.id('client');
  const [t, c] = await Promise.all([h.connectGoogle(tutorId), h.connectGoogle(clientId)]);
  return {
    tutor: {
      userId: tutorId,
      role: 'tutor',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      calendar: t.email,
      connectionId: t.connectionId,
    },
    client: {
      userId: clientId,
      role: 'client',
      name: 'Bob Builder',
      email: 'bob@example.com',
      calendar: c.email,
      connectionId: c.connectionId,
    },
  };
}

/** The participant as the booking system sends it. */
export const strip = ({ calendar: _c, connectionId: _i, ...p }: ConnectedParticipant): TestParticipant => p;
