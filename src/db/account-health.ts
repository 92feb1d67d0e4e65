import type { Pool } from 'pg';
import type { AccountProblemKind } from '../domain/account-health';

/** An account put in `error`: the episode it is in, and whether this failure began it. */
export interface ErrorEpisode {
  episode: number;
  began: boolean;
}

/** calendar_connections' health columns: entering `error` (one episode per entry) and leaving it. */
export interface AccountHealthStore {
  /**
   * Puts an `active` account (or one already in `error`) in `error` for `kind`. Undefined when
   * the account is gone, disconnected or waits for re-authentication, which says more, or when
   * `calendarId` (the calendar the failure was about) is no longer the account's calendar.
   */
  markError(id: string, kind: AccountProblemKind, message: string, calendarId?: string): Promise<ErrorEpisode | undefined>;
  /**
   * Back to `active`, in one statement, after a read of `calendarId` (the calendar events are
   * written to) went through: when the account's error is one of `kinds`, or one recorded without
   * a kind (a busy read's final failure, see BusyStore.recordError) while `calendarId` is still
   * its calendar. True when a known cause (one of `kinds`) ended: the bookings it failed are due again.
   */
  heal(id: string, kinds: readonly AccountProblemKind[], calendarId: string): Promise<boolean>;
}

export class PgAccountHealthStore implements AccountHealthStore {
  constructor(private readonly pool: Pool) {}

  async markError(id: string, kind: AccountProblemKind, message: string, calendarId?: string): Promise<ErrorEpisode | undefined> {
    // An error recorded without a kind (a busy read's final failure) is not an episode yet: this begins one.
    const { rows } = await this.pool.query<{ episode: number; began: boolean }>(
      `WITH old AS (SELECT id, status, error_kind, calendar_id FROM calendar_connections WHERE id = $1 FOR UPDATE)
       UPDATE calendar_connections c
          SET status = 'error', error_kind = $2, last_error = $3, updated_at = now(),
              error_episode = CASE WHEN old.status = 'error' AND old.error_kind IS NOT NULL THEN c.error_episode ELSE c.error_episode + 1 END
         FROM old
        WHERE c.id = old.id AND old.status IN ('active', 'error') AND ($4::text IS NULL OR old.calendar_id = $4)
        RETURNING c.error_episode AS episode, NOT (old.status = 'error' AND old.error_kind IS NOT NULL) AS began`,
      [id, kind, message.slice(0, 500), calendarId ?? null],
    );
    return rows[0];
  }

  async heal(id: string, kinds: readonly AccountProblemKind[], calendarId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ kind: string | null }>(
      `WITH old AS (SELECT id, error_kind FROM calendar_connections WHERE id = $1 FOR UPDATE)
       UPDATE calendar_connections c
          SET status = 'active', error_kind = NULL, last_error = NULL, updated_at = now()
         FROM old
        WHERE c.id = old.id AND c.status = 'error'
          AND (old.error_kind = ANY($2::text[]) OR (old.error_kind IS NULL AND c.calendar_id = $3))
        RETURNING old.error_kind AS kind`,
      [id, kinds, calendarId],
    );
    return rows.length > 0 && rows[0]!.kind !== null;
  }
}
