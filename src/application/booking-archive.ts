import { z } from 'zod';
import type { BookingHistoryStore } from '../db/booking-history';
import type { UserBookingStore } from '../db/user-bookings';
import type { BookingStatus, BookingView } from '../domain/booking';
import type { BookingHistoryEntry } from '../domain/booking-history';
import { decodeCursor, encodeCursor, micros } from './page-cursor';

export type ArchiveError = 'invalid_cursor' | 'booking_not_found';
export type ArchiveResult<T> = { ok: true; value: T } | { ok: false; error: ArchiveError };

export interface UserBookingsRequest {
  status?: BookingStatus;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

export interface BookingHistoryRequest {
  cursor?: string;
  limit: number;
}

/** A booking of the user's with the newest entries of its history that concern them. */
export interface BookingActivity {
  booking: BookingView;
  /** Newest first. */
  entries: BookingHistoryEntry[];
}

export interface RecentActivityRequest {
  /** Bookings that end after this instant (RFC 3339). */
  from: string;
  /** At most this many bookings, by start time. */
  bookings: number;
  /** At most this many entries per booking. */
  entries: number;
}

/** One page of a list, and `nextCursor` to pass as `cursor` for the next page (null on the last). */
export type Page<K extends string, T> = Record<K, T[]> & { nextCursor: string | null };

const LIST = 'user-bookings';
const HISTORY = 'booking-history';
const listPosition = z.strictObject({ startMicros: micros, bookingId: z.string().min(1).max(200) });
const historyPosition = z.strictObject({ atMicros: micros, source: z.number().int().min(0).max(9), key: z.string().max(600) });

export interface BookingArchiveDeps {
  userBookings: UserBookingStore;
  history: BookingHistoryStore;
  /** Whether the database recorded the booking at all (its projection is written before any event). */
  exists(bookingId: string): Promise<boolean>;
}

/**
 * Reads of bookings from PostgreSQL alone, so they outlive Temporal's retention of finished
 * workflows: a user's bookings, and a booking's history of writes, retries, failures, external
 * edits, notifications and invitations.
 */
export class BookingArchive {
  constructor(private readonly deps: BookingArchiveDeps) {}

  async userBookings(userId: string, request: UserBookingsRequest): Promise<ArchiveResult<Page<'bookings', BookingView>>> {
    const after = request.cursor === undefined ? null : decodeCursor(LIST, request.cursor, listPosition);
    if (after === undefined) return { ok: false, error: 'invalid_cursor' };
    const page = await this.deps.userBookings.page({
      userId,
      ...(request.status ? { status: request.status } : {}),
      ...(request.from ? { from: request.from } : {}),
      ...(request.to ? { to: request.to } : {}),
      after,
      limit: request.limit,
    });
    return { ok: true, value: { bookings: page.bookings, nextCursor: page.next ? encodeCursor(LIST, page.next) : null } };
  }

  async history(bookingId: string, request: BookingHistoryRequest): Promise<ArchiveResult<Page<'entries', BookingHistoryEntry>>> {
    const after = request.cursor === undefined ? null : decodeCursor(HISTORY, request.cursor, historyPosition);
    if (after === undefined) return { ok: false, error: 'invalid_cursor' };
    const page = await this.deps.history.page(bookingId, after, request.limit);
    if (after === null && page.entries.length === 0 && !(await this.deps.exists(bookingId)))
      return { ok: false, error: 'booking_not_found' };
    return { ok: true, value: { entries: page.entries, nextCursor: page.next ? encodeCursor(HISTORY, page.next) : null } };
  }

  /**
   * The user's bookings that end after `from` (the earliest first), each with its newest history
   * entries that concern this user: their own calendars' writes, retries, failures and external
   * edits, their invitations, the notifications about them. Never another participant's.
   */
  async recentActivity(userId: string, request: RecentActivityRequest): Promise<BookingActivity[]> {
    const page = await this.deps.userBookings.page({ userId, from: request.from, after: null, limit: request.bookings });
    return Promise.all(
      page.bookings.map(async (booking) => ({
        booking,
        entries: await this.deps.history.latestFor(booking.bookingId, userId, request.entries),
      })),
    );
  }
}
