import { describe, expect, it } from 'vitest';
import { createTokenActivities } from '../../../src/activities/tokens';
import type { CalendarAccount } from '../../../src/db/calendar-accounts';
import { ProviderError } from '../../../src/providers';
import { accountRow, activityEnv, failureOf, fakeWorld, HOUR, NOW } from './fakes';

/** An account whose token version 4 is about to expire. */
function setup(row: CalendarAccount = accountRow({ tokenExpiresAt: new Date(NOW + 60_000), tokenIssuedAt: new Date(NOW - HOUR) })) {
  const world = fakeWorld();
  world.calendarAccounts.put(row);
  return { ...world, activities: createTokenActivities(world.deps) };
}

describe('refreshAccessToken', () => {
  it('refreshes with the stored refresh token, stores the new tokens and returns only their expiry and generation', async () => {
    const { activities, oauth, calendarAccounts, syncLog } = setup();
    const result = await activityEnv().run(activities, 'refreshAccessToken', { connectionId: 'conn-1', seenTokenVersion: 4 });

    expect(result).toEqual({ refreshed: true, expiresAt: new Date(NOW + HOUR).toISOString(), tokenVersion: 5 });
    expect(oauth.refreshedWith).toEqual(['refresh-1']);
    expect(calendarAccounts.rows.get('conn-1')?.credentials).toEqual({ kind: 'bearer', accessToken: 'access-2' });
    expect(syncLog.entries).toEqual([
      { connectionId: 'conn-1', userId: 'ada', provider: 'google', operation: 'refresh_token', outcome: 'ok' },
    ]);
  });

  it('reuses a newer token another caller already refreshed, without calling the provider', async () => {
    const { activities, oauth } = setup(accountRow({ tokenVersion: 5, tokenExpiresAt: new Date(NOW + HOUR) }));
    const result = await activityEnv().run(activities, 'refreshAccessToken', { connectionId: 'conn-1', seenTokenVersion: 4 });

    expect(result).toEqual({ refreshed: false, expiresAt: new Date(NOW + HOUR).toISOString(), tokenVersion: 5 });
    expect(oauth.refreshedWith).toEqual([]);
  });

  it('parks the account as needing reconnection when the grant is refused, and fails with ReauthRequired', async () => {
    const { activities, oauth, calendarAccounts, syncLog } = setup();
    oauth.onRefresh = () => Promise.reject(new ProviderError('invalid_grant', 'invalid_grant: token revoked'));
    const failure = await failureOf(activityEnv().run(activities, 'refreshAccessToken', { connectionId: 'conn-1', seenTokenVersion: 4 }));

    expect([failure.type, failure.nonRetryable]).toEqual(['ReauthRequired', true]);
    expect(calendarAccounts.row('conn-1').status).toBe('needs_reauth');
    expect(syncLog.entries.map((e) => [e.operation, e.outcome])).toEqual([['refresh_token', 'needs_reauth']]);
  });

  it('retries a token endpoint that is down, with the token untouched', async () => {
    const { activities, oauth, calendarAccounts } = setup();
    oauth.onRefresh = () => Promise.reject(new ProviderError('transient', 'token endpoint 503', { retryAfterMs: 1_000 }));
    const failure = await failureOf(activityEnv().run(activities, 'refreshAccessToken', { connectionId: 'conn-1', seenTokenVersion: 4 }));

    expect([failure.type, failure.nonRetryable, failure.nextRetryDelay]).toEqual(['ProviderUnavailable', false, 1_000]);
    expect(calendarAccounts.row('conn-1')).toMatchObject({ status: 'active', tokenVersion: 4 });
  });

  it('fails with the typed failures for an account that is gone or already needs reconnecting', async () => {
    const gone = setup(accountRow({ status: 'disconnected' }));
    const reauth = setup(accountRow({ status: 'needs_reauth', lastError: 'grant revoked' }));
    const input = { connectionId: 'conn-1', seenTokenVersion: 4 };
    const goneFailure = await failureOf(activityEnv().run(gone.activities, 'refreshAccessToken', input));
    const reauthFailure = await failureOf(activityEnv().run(reauth.activities, 'refreshAccessToken', input));

    expect([goneFailure.type, goneFailure.nonRetryable]).toEqual(['ConnectionUnavailable', true]);
    expect([reauthFailure.type, reauthFailure.nonRetryable, reauthFailure.message]).toEqual(['ReauthRequired', true, 'grant revoked']);
    expect([gone.oauth.refreshedWith, reauth.oauth.refreshedWith]).toEqual([[], []]);
  });

  it('tells the user of a refused CalDAV or iCloud app password to reconnect with a new one, not of a refresh token', async () => {
    for (const provider of ['caldav', 'icloud'] as const) {
      const world = fakeWorld();
      world.calendarAccounts.put(accountRow({ provider, tokenExpiresAt: null }), {
        kind: 'basic',
        username: 'ada@example.com',
        password: 'app-password',
        serverUrl: 'https://caldav.example.com',
      });
      world.calendarAccounts.rows.get('conn-1')!.refreshToken = null;
      const activities = createTokenActivities(world.deps);
      const failure = await failureOf(activityEnv().run(activities, 'refreshAccessToken', { connectionId: 'conn-1', seenTokenVersion: 0 }));

      expect(failure.type).toBe('ReauthRequired');
      const { lastError } = world.calendarAccounts.row('conn-1');
      expect(lastError).toContain('app');
      expect(lastError).toContain('password');
      expect(lastError).not.toContain('refresh token');
      expect(failure.message).toBe(lastError);
    }
  });
});
