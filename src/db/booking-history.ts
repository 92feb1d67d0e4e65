import type { BookingHistoryEntry, HistoryPage, HistoryPosition } from '../domain/booking-history';
import type { Queryable } from './pool';

/** Sources in the order entries of the same instant are listed. */
const SYNC_LOG = 0;
const NOTIFICATION = 1;
const INVITATION = 2;

interface Row {
  src: number;
  key: string;
  at: Date;
  at_us: string;
  body: Record<string, unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strOrNull = (v: unknown): string | null => str(v) ?? null;

function toEntry(row: Row): BookingHistoryEntry {
  const at = row.at.toISOString();
  const b = row.body;
  if (row.src === NOTIFICATION) {
    const lastError = str(b.lastError);
    const deliveredAt = str(b.deliveredAt);
    return {
      kind: 'notification',
      at,
      notificationId: String(b.id),
      type: String(b.type),
      status: String(b.status),
      attempts: Number(b.attempts),
      ...(lastError ? { lastError } : {}),
      ...(deliveredAt ? { deliveredAt: new Date(deliveredAt).toISOString() } : {}),
      data: (b.data ?? {}) as Record<string, unknown>,
    };
  }
  if (row.src === INVITATION) {
    return { kind: 'invitation', at, userId: String(b.userId), method: String(b.method), revision: Number(b.revision) };
  }
  const operation = String(b.operation);
  const externalEventId = str(b.externalEventId);
  const detail = str(b.detail);
  const common = {
    at,
    operation,
    outcome: String(b.outcome),
    userId: strOrNull(b.userId),
    connectionId: strOrNull(b.connectionId),
    provider: strOrNull(b.provider),
  };
  const tail = { ...(externalEventId ? { externalEventId } : {}), ...(detail ? { detail } : {}) };
  if (operation === 'external_delete' || operation === 'external_move') return { kind: 'external_edit', ...common, ...tail };
  return { kind: 'calendar', ...common, revision: typeof b.revision === 'number' ? b.revision : null, ...tail };
}

/**
 * The booking's entries from its three sources, as SQL over the booking id parameter `booking`.
 * With `user` (a parameter too), only what concerns that participant: their own calendars'
 * entries, their invitations, and notifications not about another participant.
 */
function entriesOf(booking: string, user: string | null): string {
  const mine = (column: string) => (user ? ` AND ${column} = ${user}` : '');
  const notAboutOthers = user ? ` AND coalesce(data ->> 'userId', ${user}) = ${user}` : '';
  return `SELECT ${SYNC_LOG} AS src, lpad(id::text, 20, '0') AS key, at,
                jsonb_build_object('operation', operation, 'outcome', outcome, 'userId', user_id, 'connectionId', connection_id,
                                   'provider', provider, 'revision', revision, 'externalEventId', external_event_id, 'detail', detail) AS body
           FROM sync_log WHERE booking_id = ${booking}${mine('user_id')}
         UNION ALL
         SELECT ${NOTIFICATION}, id::text, created_at,
                jsonb_build_object('id', id, 'type', type, 'status', status, 'attempts', attempts, 'lastError', last_error,
                                   'deliveredAt', delivered_at, 'data', data)
           FROM notifications WHERE data ->> 'bookingId' = ${booking}${notAboutOthers}
         UNION ALL
         SELECT ${INVITATION}, user_id || ' ' || lpad(revision::text, 10, '0') || ' ' || method, sent_at,
                jsonb_build_object('userId', user_id, 'revision', revision, 'method', method)
           FROM invitation_sends WHERE booking_id = ${booking}${mine('user_id')}`;
}

/** A booking's audit trail, read back: sync_log, notifications about it and its invitation mails. */
export interface BookingHistoryStore {
  /** Oldest first, the entries after `after` (from the start when null), at most `limit`. */
  page(bookingId: string, after: HistoryPosition | null, limit: number): Promise<HistoryPage>;
  /** Newest first, at most `limit` of the entries that concern this participant (see `entriesOf`). */
  latestFor(bookingId: string, userId: string, limit: number): Promise<BookingHistoryEntry[]>;
}

export class PgBookingHistoryStore implements BookingHistoryStore {
  constructor(private readonly db: Queryable) {}

  async page(bookingId: string, after: HistoryPosition | null, limit: number): Promise<HistoryPage> {
    // Keys sort as text within a source: sync_log ids are padded so 10 follows 9.
    const { rows } = await this.db.query<Row>(
      `WITH entries AS (${entriesOf('$1', null)})
       SELECT src, key, at, (extract(epoch FROM at) * 1000000)::bigint::text AS at_us, body FROM entries
        WHERE $2::bigint IS NULL
           OR (at, src, key) > (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::int, $4::text)
        ORDER BY at, src, key
        LIMIT $5`,
      [bookingId, after?.atMicros ?? null, after?.source ?? 0, after?.key ?? '', limit + 1],
    );
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown[shown.length - 1];
    return {
      entries: shown.map(toEntry),
      next: more && last ? { atMicros: last.at_us, source: last.src, key: last.key } : null,
    };
  }

  async latestFor(bookingId: string, userId: string, limit: number): Promise<BookingHistoryEntry[]> {
    const { rows } = await this.db.query<Row>(
      `WITH entries AS (${entriesOf('$1', '$2')})
       SELECT src, key, at, '' AS at_us, body FROM entries ORDER BY at DESC, src DESC, key DESC LIMIT $3`,
      [bookingId, userId, limit],
    );
    return rows.map(toEntry);
  }
}
