import { createHash, randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import type { Reminder } from '../events/reminders';
import type { ProviderKind } from '../providers/types';
import { withTransaction, type Queryable } from './pool';
import type {
  AccountLimitReached,
  CalDavReconnect,
  CalendarAccount,
  EventsNotRemoved,
  NewCalDavAccount,
  NewOAuthAccount,
  StoredAccount,
  TokenUpdate,
} from './calendar-account-types';
import { COLUMNS, toCalendarAccount, type CalendarAccountRow, type InsertedColumn } from './calendar-account-row';
import { withCredentials } from './account-credentials';
import { aad, openSealed, SecretUnavailableError, type SealedColumn } from './sealed-columns';
import type { AccountWithCredentials, CalendarAccountStore, LockedCalendarAccount } from './calendar-account-store';
import { takeTokenStatement, type ProviderPaces } from './provider-budget';
import { PgSyncLogStore } from './sync-log';

export type {
  CalendarAccountStatus,
  CalendarAccount,
  NewOAuthAccount,
  NewCalDavAccount,
  TokenUpdate,
  StoredAccount,
  AccountLimitReached,
  CalDavReconnect,
  EventsNotRemoved,
  EventNotRemoved,
} from './calendar-account-types';

export type { AccountWithCredentials, CalendarAccountStore, LockedCalendarAccount } from './calendar-account-store';

/** An error a change of calendar ends (SQL, on calendar_connections' old values). */
const CALENDAR_ERROR = `status = 'error' AND (error_kind IS NULL OR error_kind IN ('calendar_not_found', 'calendar_forbidden'))`;

export class PgCalendarAccountStore implements CalendarAccountStore {
  constructor(
    private readonly pool: Pool,
    private readonly box: SecretBox,
  ) {}

  /**
   * The user's live calendar accounts (every provider), under a per-user lock held to the end of
   * the transaction: two concurrent connects of the same account cannot both insert, and
   * concurrent connects of different accounts cannot pass the per-user limit together.
   */
  private async lockAccounts(client: PoolClient, userId: string): Promise<CalendarAccountRow[]> {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('user_connections:' || $1))`, [userId]);
    const { rows } = await client.query<CalendarAccountRow>(
      `SELECT ${COLUMNS} FROM calendar_connections WHERE user_id = $1 AND status <> 'disconnected'`,
      [userId],
    );
    return rows;
  }

  /** The row's stored account name (lower-cased when `lower`), null when it has none, undefined when its key is gone. */
  private storedName(r: CalendarAccountRow, lower = false): string | null | undefined {
    if (r.account_email_enc === null) return null;
    try {
      const name = openSealed(this.box, r.id, 'account_email', r.account_email_enc);
      return lower ? name.toLowerCase() : name;
    } catch (err) {
      if (err instanceof SecretUnavailableError) return undefined;
      throw err;
    }
  }

  upsertOAuth(newAccount: NewOAuthAccount, limit: { maxActive: number }): Promise<StoredAccount | AccountLimitReached>;
  upsertOAuth(newAccount: NewOAuthAccount): Promise<StoredAccount>;
  async upsertOAuth(newAccount: NewOAuthAccount, limit?: { maxActive: number }): Promise<StoredAccount | AccountLimitReached> {
    return withTransaction(this.pool, async (client) => {
      const rows = await this.lockAccounts(client, newAccount.userId);
      const subjectHash =
        newAccount.accountSubject === undefined ? null : accountSubjectHash(newAccount.provider, newAccount.accountSubject);
      // A row without an identity is matched by its e-mail; one whose e-mail cannot be opened (its
      // key is gone) cannot be, and is set aside rather than failing the whole reconnect.
      const emailOf = (r: CalendarAccountRow) => this.storedName(r, true);
      // With a stable identity, only it matches; an e-mail match is left for rows recorded before
      // identities were (they have none), which then take this one. Another identity showing the
      // same e-mail (a tenant can set `mail` to anything) is another account: a new row.
      const ofProvider = rows.filter((r) => r.provider === newAccount.provider);
      const byEmail = ofProvider.filter((r) => r.account_subject_hash === null);
      const email = newAccount.accountEmail.toLowerCase();
      const unreadable = byEmail.filter((r) => r.account_email_enc !== null && emailOf(r) === undefined);
      // No readable match, and exactly one of the user's accounts of this provider whose stored
      // address cannot be read: the fresh grant is taken as its reconnect (what its error asks the
      // user to do), and its secrets are sealed again under the current key. Several: a new row.
      const same =
        (subjectHash === null ? undefined : ofProvider.find((r) => r.account_subject_hash === subjectHash)) ??
        byEmail.find((r) => emailOf(r) === email) ??
        (unreadable.length === 1 ? unreadable[0] : undefined);
      if (!same) {
        if (limit && rows.length >= limit.maxActive) return { limitReached: true, limit: limit.maxActive };
        return { account: await this.insertOAuth(newAccount, client), created: true };
      }
      await this.storeTokensOn(client, same.id, {
        accessToken: newAccount.accessToken,
        refreshToken: newAccount.refreshToken,
        expiresAt: newAccount.expiresAt,
      });
      // The e-mail shown follows the account (it may have changed); the identity is recorded once known.
      await client.query(
        `UPDATE calendar_connections SET status = 'active', last_error = NULL, error_kind = NULL, account_email_enc = $2,
                account_subject_hash = coalesce($3, account_subject_hash), updated_at = now() WHERE id = $1`,
        [same.id, this.box.seal(newAccount.accountEmail, aad('account_email', same.id)), subjectHash],
      );
      return { account: (await this.getOn(client, same.id))!, created: false };
    });
  }

  /** A new row without the reconnect check of upsertOAuth (tests seed calendar accounts with it). */
  async insertOAuth(newAccount: NewOAuthAccount, db: Queryable = this.pool): Promise<CalendarAccount> {
    return this.insertRow(
      db,
      randomUUID(),
      {
        user_id: newAccount.userId,
        provider: newAccount.provider,
        calendar_id: newAccount.calendarId,
        token_expires_at: newAccount.expiresAt,
        // The same clock as the expiry (both from this process): their difference is the token's lifetime.
        token_issued_at: new Date(),
        account_subject_hash:
          newAccount.accountSubject === undefined ? null : accountSubjectHash(newAccount.provider, newAccount.accountSubject),
      },
      { account_email: newAccount.accountEmail, access_token: newAccount.accessToken, refresh_token: newAccount.refreshToken },
    );
  }

  /** One new row, its secrets sealed to it; the column names are this module's own, every value a parameter. */
  private async insertRow(
    db: Queryable,
    id: string,
    plain: Partial<Record<InsertedColumn, unknown>>,
    secrets: Partial<Record<SealedColumn, string>>,
  ): Promise<CalendarAccount> {
    const values = new Map<string, unknown>(Object.entries(plain));
    for (const [column, secret] of Object.entries(secrets) as Array<[SealedColumn, string | undefined]>) {
      if (secret !== undefined) values.set(`${column}_enc`, this.box.seal(secret, aad(column, id)));
    }
    const columns = [...values.keys()];
    const { rows } = await db.query<CalendarAccountRow>(
      `INSERT INTO calendar_connections (id, ${columns.join(', ')})
       VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')}) RETURNING ${COLUMNS}`,
      [id, ...values.values()],
    );
    return toCalendarAccount(rows[0]!);
  }

  async get(id: string): Promise<CalendarAccount | undefined> {
    return this.getOn(this.pool, id);
  }

  private async getOn(db: Queryable, id: string): Promise<CalendarAccount | undefined> {
    const row = await this.rowOn(db, id);
    return row && toCalendarAccount(row);
  }

  private async rowOn(db: Queryable, id: string): Promise<CalendarAccountRow | undefined> {
    const { rows } = await db.query<CalendarAccountRow>(`SELECT ${COLUMNS} FROM calendar_connections WHERE id = $1`, [id]);
    return rows[0];
  }

  async listForUsers(userIds: string[]): Promise<CalendarAccount[]> {
    const { rows } = await this.pool.query<CalendarAccountRow>(
      `SELECT ${COLUMNS} FROM calendar_connections
        WHERE user_id = ANY($1::text[]) AND status <> 'disconnected' ORDER BY created_at, id`,
      [userIds],
    );
    return rows.map(toCalendarAccount);
  }

  async listForUserWithEmail(userId: string): Promise<Array<CalendarAccount & { accountEmail: string | null; secretUnavailable?: true }>> {
    const { rows } = await this.pool.query<CalendarAccountRow>(
      `SELECT ${COLUMNS} FROM calendar_connections WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
    return rows.map((r) => {
      const account = toCalendarAccount(r);
      try {
        return { ...account, accountEmail: r.account_email_enc ? openSealed(this.box, r.id, 'account_email', r.account_email_enc) : null };
      } catch (err) {
        // Its key is gone: the account is still listed (in error), without the address.
        if (!(err instanceof SecretUnavailableError)) throw err;
        return { ...account, accountEmail: null, secretUnavailable: true as const };
      }
    });
  }

  upsertCalDav(newAccount: NewCalDavAccount, limit: { maxActive: number }): Promise<StoredAccount | AccountLimitReached>;
  upsertCalDav(newAccount: NewCalDavAccount): Promise<StoredAccount>;
  async upsertCalDav(newAccount: NewCalDavAccount, limit?: { maxActive: number }): Promise<StoredAccount | AccountLimitReached> {
    return withTransaction(this.pool, async (client) => {
      const rows = await this.lockAccounts(client, newAccount.userId);
      // A row whose user name cannot be opened (its key is gone) is not taken for this one: it is
      // reconnected by its id (reconnectCalDav), which seals it again.
      const same = rows.find(
        (r) => r.provider === newAccount.provider && r.server_url === newAccount.serverUrl && this.storedName(r) === newAccount.username,
      );
      if (!same && limit && rows.length >= limit.maxActive) return { limitReached: true, limit: limit.maxActive };
      const id = same?.id ?? randomUUID();
      if (same) {
        await client.query(
          `UPDATE calendar_connections SET password_enc = $2, status = 'active', last_error = NULL, error_kind = NULL, updated_at = now() WHERE id = $1`,
          [id, this.box.seal(newAccount.password, aad('password', id))],
        );
      } else {
        await this.insertRow(
          client,
          id,
          {
            user_id: newAccount.userId,
            provider: newAccount.provider,
            calendar_id: newAccount.calendarUrl,
            server_url: newAccount.serverUrl,
          },
          { account_email: newAccount.username, password: newAccount.password },
        );
      }
      return { account: (await this.getOn(client, id))!, created: !same };
    });
  }

  async reconnectCalDav(id: string, update: CalDavReconnect): Promise<CalendarAccount | 'not_found' | 'other_account'> {
    return withTransaction(this.pool, async (client) => {
      const owner = await client.query<{ user_id: string }>('SELECT user_id FROM calendar_connections WHERE id = $1', [id]);
      const userId = owner.rows[0]?.user_id;
      if (userId === undefined) return 'not_found';
      const rows = await this.lockAccounts(client, userId);
      const mine = rows.find((r) => r.id === id);
      if (!mine || mine.server_url === null) return 'not_found';
      const other = rows.find(
        (r) => r.id !== id && r.provider === mine.provider && r.server_url === update.serverUrl && this.storedName(r) === update.username,
      );
      if (other) return 'other_account';
      await client.query(
        `UPDATE calendar_connections
            SET password_enc = $2, account_email_enc = $3, server_url = $4, calendar_id = COALESCE($5, calendar_id),
                status = 'active', last_error = NULL, error_kind = NULL, updated_at = now()
          WHERE id = $1`,
        [
          id,
          this.box.seal(update.password, aad('password', id)),
          this.box.seal(update.username, aad('account_email', id)),
          update.serverUrl,
          update.calendarUrl ?? null,
        ],
      );
      return (await this.getOn(client, id))!;
    });
  }

  async getWithCredentials(id: string): Promise<AccountWithCredentials | undefined> {
    const row = await this.rowOn(this.pool, id);
    return row && withCredentials(this.box, row);
  }

  /**
   * One statement: the row, and one token of the account's request budget (the bucket `budgetKey`
   * of provider_request_budget, refilled at the pace of the account's provider) unless the account
   * is disconnected or needs re-authentication, which no call goes out for.
   */
  async getWithCredentialsTakingToken(
    id: string,
    budgetKey: string,
    paces: ProviderPaces,
  ): Promise<(AccountWithCredentials & { tokenTaken: boolean }) | undefined> {
    const { rows } = await this.pool.query<CalendarAccountRow & { token_taken: boolean }>(
      `WITH account AS (SELECT ${COLUMNS} FROM calendar_connections WHERE id = $1),
       pace AS (
         SELECT ($3::jsonb -> provider -> 'perSecond')::float8 AS per_second, ($3::jsonb -> provider -> 'burst')::float8 AS burst
           FROM account WHERE status NOT IN ('disconnected', 'needs_reauth') AND $3::jsonb ? provider),
       taken AS (${takeTokenStatement('$2::text', '(SELECT per_second FROM pace)', '(SELECT burst FROM pace)', 'FROM pace')})
       SELECT account.*, EXISTS (SELECT 1 FROM taken) AS token_taken FROM account`,
      [id, budgetKey, JSON.stringify(paces)],
    );
    const row = rows[0];
    return row && { ...withCredentials(this.box, row), tokenTaken: row.token_taken };
  }

  async withLockedAccount<T>(id: string, work: (locked: LockedCalendarAccount) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('calendar_connection:' || $1))`, [id]);
      const { rows } = await client.query<CalendarAccountRow>(`SELECT ${COLUMNS} FROM calendar_connections WHERE id = $1 FOR UPDATE`, [id]);
      const row = rows[0];
      if (!row) throw new CalendarAccountNotFoundError(id);
      const syncLog = new PgSyncLogStore(client);
      return work({
        account: toCalendarAccount(row),
        refreshToken: row.refresh_token_enc ? openSealed(this.box, row.id, 'refresh_token', row.refresh_token_enc) : null,
        inLock: {
          storeTokens: (t) => this.storeTokensOn(client, id, t),
          markNeedsReauth: (lastError) => this.markNeedsReauthOn(client, id, lastError),
          appendSyncLog: (entries) => syncLog.append(entries),
        },
      });
    });
  }

  private async storeTokensOn(db: Queryable, id: string, tokens: TokenUpdate): Promise<number> {
    const { rows } = await db.query<{ token_version: number }>(
      `UPDATE calendar_connections
          SET access_token_enc = $2,
              refresh_token_enc = COALESCE($3, refresh_token_enc),
              token_expires_at = $4,
              token_issued_at = now(),
              token_version = token_version + 1,
              -- A new token ends an unexplained error (a failed busy read); a known cause has its own cure.
              status = CASE WHEN status = 'error' AND error_kind IS NULL THEN 'active' ELSE status END,
              updated_at = now()
        WHERE id = $1 RETURNING token_version`,
      [
        id,
        this.box.seal(tokens.accessToken, aad('access_token', id)),
        tokens.refreshToken === undefined ? null : this.box.seal(tokens.refreshToken, aad('refresh_token', id)),
        tokens.expiresAt,
      ],
    );
    return rows[0]?.token_version ?? 0;
  }

  async setSyncEnabled(id: string, syncEnabled: boolean): Promise<CalendarAccount | undefined> {
    await this.pool.query('UPDATE calendar_connections SET sync_enabled = $2, updated_at = now() WHERE id = $1', [id, syncEnabled]);
    return this.get(id);
  }

  async setCalendar(id: string, calendarId: string): Promise<void> {
    // Another calendar ends an error about the old one (gone, not writable), or one without a known cause.
    await this.pool.query(
      `UPDATE calendar_connections
          SET calendar_id = $2, updated_at = now(),
              last_error = CASE WHEN ${CALENDAR_ERROR} THEN NULL ELSE last_error END,
              error_kind = CASE WHEN ${CALENDAR_ERROR} THEN NULL ELSE error_kind END,
              status = CASE WHEN ${CALENDAR_ERROR} THEN 'active' ELSE status END
        WHERE id = $1`,
      [id, calendarId],
    );
  }

  async setReminders(id: string, reminders: Reminder[] | null): Promise<void> {
    const json = reminders === null ? null : JSON.stringify(reminders);
    await this.pool.query('UPDATE calendar_connections SET reminders = $2::jsonb, updated_at = now() WHERE id = $1', [id, json]);
  }

  async markRemovingEvents(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE calendar_connections SET removing_events = true, sync_enabled = false, updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  async revocableToken(id: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<CalendarAccountRow>(`SELECT ${COLUMNS} FROM calendar_connections WHERE id = $1`, [id]);
    const row = rows[0];
    if (!row) return undefined;
    if (row.refresh_token_enc) return openSealed(this.box, id, 'refresh_token', row.refresh_token_enc);
    return row.access_token_enc ? openSealed(this.box, id, 'access_token', row.access_token_enc) : undefined;
  }

  async markDisconnected(id: string, eventsNotRemoved?: EventsNotRemoved): Promise<void> {
    await this.pool.query(
      `UPDATE calendar_connections
          SET status = 'disconnected', access_token_enc = NULL, refresh_token_enc = NULL, token_expires_at = NULL,
              password_enc = NULL, removing_events = false, sync_enabled = false, updated_at = now(),
              bulk_sync = CASE WHEN bulk_sync->>'state' = 'running' THEN bulk_sync || '{"state": "stopped"}'::jsonb ELSE bulk_sync END,
              events_not_removed = COALESCE($2::jsonb, events_not_removed)
        WHERE id = $1`,
      [id, eventsNotRemoved === undefined ? null : JSON.stringify(eventsNotRemoved)],
    );
  }

  private async markNeedsReauthOn(db: Queryable, id: string, lastError: string): Promise<void> {
    await db.query(`UPDATE calendar_connections SET status = 'needs_reauth', last_error = $2, updated_at = now() WHERE id = $1`, [
      id,
      lastError,
    ]);
  }
}

export class CalendarAccountNotFoundError extends Error {
  readonly code = 'connection_not_found';
  constructor(readonly connectionId: string) {
    super(`calendar connection ${connectionId} does not exist`);
    this.name = 'CalendarAccountNotFoundError';
  }
}

/** What is stored of a provider's account identity: a digest, compared for equality only. */
export function accountSubjectHash(provider: ProviderKind, subject: string): string {
  return createHash('sha256').update(`${provider}:${subject}`).digest('hex');
}
