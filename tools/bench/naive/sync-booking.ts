// The Calendar API module alone: the package index loads every Google API (over a thousand type files).
import * as google from 'googleapis/build/src/apis/calendar';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar';
import type { Pool } from 'pg';

export interface NaiveBooking {
  bookingId: string;
  title: string;
  start: string;
  end: string;
  participantIds: string[];
}

/**
 * The design this service replaces (seeds/tutorwise-calendar-integration.md): called from the
 * payment webhook without being awaited; for each participant it reads the stored token,
 * inserts the event with the Google client and records it. A failed call is logged and the
 * change is gone: no retry, no idempotent event id, nothing durable in between.
 */
export class NaiveCalendarSync {
  private readonly calendar: calendar_v3.Calendar;
  failures = 0;

  constructor(
    private readonly pool: Pool,
    apiUrl: string,
  ) {
    this.calendar = google.calendar({ version: 'v3', rootUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` });
  }

  async syncBookingConfirmation(booking: NaiveBooking): Promise<void> {
    await Promise.all(booking.participantIds.map((profileId) => this.createEvent(booking, profileId)));
  }

  private async createEvent(booking: NaiveBooking, profileId: string): Promise<void> {
    const { rows } = await this.pool.query<{ access_token: string }>(
      `SELECT access_token FROM naive_calendar_connections WHERE profile_id = $1 AND status = 'active'`,
      [profileId],
    );
    const token = rows[0]?.access_token;
    if (!token) return;
    try {
      const res = await this.calendar.events.insert(
        {
          calendarId: 'primary',
          requestBody: {
            summary: booking.title,
            start: { dateTime: booking.start },
            end: { dateTime: booking.end },
            extendedProperties: { private: { bookingCalendarSyncBookingId: booking.bookingId } },
          },
        },
        { headers: { Authorization: `Bearer ${token}` } },
      );
      await this.pool.query('INSERT INTO naive_calendar_events (booking_id, profile_id, external_event_id) VALUES ($1, $2, $3)', [
        booking.bookingId,
        profileId,
        res.data.id,
      ]);
    } catch (err) {
      // "Errors are logged but don't propagate": the event is simply not there.
      this.failures += 1;
      await this.pool
        .query(`UPDATE naive_calendar_connections SET last_error = $2 WHERE profile_id = $1`, [
          profileId,
          err instanceof Error ? err.message.slice(0, 200) : 'failed',
        ])
        .catch(() => undefined);
    }
  }
}
