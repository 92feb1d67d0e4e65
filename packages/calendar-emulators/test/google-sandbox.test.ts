import { createHash, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
// The Calendar API module alone: the package index loads every Google API (over a thousand type files).
import * as google from 'googleapis/build/src/apis/calendar';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar';
import { CALENDAR_SCOPES } from '../src/google';
import { SlidingWindowRateLimiter } from '../src/google/sliding-window';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  reasonOf,
  useGoogleSandbox,
  type ApiResult,
  type TokenBody,
  type TokenResult,
} from './google-test-client';

const UNAUTHENTICATED = {
  error: {
    code: 401,
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    errors: [
      {
        message: 'Invalid Credentials',
        domain: 'global',
        reason: 'authError',
        location: 'Authorization',
        locationType: 'header',
      },
    ],
    status: 'UNAUTHENTICATED',
  },
};
const NOT_FOUND = {
  error: { errors: [{ domain: 'global', reason: 'notFound', message: 'Not Found' }], code: 404, message: 'Not Found' },
};
const DUPLICATE = {
  error: {
    errors: [{ domain: 'global', reason: 'duplicate', message: 'The requested identifier already exists.' }],
    code: 409,
    message: 'The requested identifier already exists.',
  },
};
const DELETED = {
  error: {
    errors: [{ domain: 'global', reason: 'deleted', message: 'Resource has been deleted' }],
    code: 410,
    message: 'Resource has been deleted',
  },
};
const RATE_LIMITED = {
  error: {
    errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'Rate Limit Exceeded' }],
    code: 403,
    message: 'Rate Limit Exceeded',
  },
};

/** Set by a test to stop the sandbox's clock there (and move it by hand); real time otherwise. */
let frozenClock: number | undefined;
const sandbox = useGoogleSandbox({}, { now: () => frozenClock ?? Date.now() });
const { postToken, exchange, api } = sandbox;
beforeEach(() => {
  frozenClock = undefined;
});

function refresh(refreshToken: string): Promise<TokenResult> {
  return postToken({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
  });
}

interface Connected {
  accessToken: string;
  refreshToken: string;
}

/** Authorizes through the control API and exchanges the code, like the service's callback. */
async function connect(email: string, scope?: string): Promise<Connected> {
  const body = await sandbox.connectTokens(email, scope);
  expect(body.refresh_token).toBeTypeOf('string');
  return { accessToken: body.access_token as string, refreshToken: body.refresh_token as string };
}

const EVENTS = '/calendar/v3/calendars/primary/events';

function eventBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    summary: 'Maths lesson',
    start: { dateTime: '2030-03-01T10:00:00+01:00', timeZone: 'Europe/Paris' },
    end: { dateTime: '2030-03-01T11:00:00+01:00', timeZone: 'Europe/Paris' },
    ...overrides,
  };
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('OAuth consent page', () => {
  it('renders an escaped consent page prefilled from login_hint', async () => {
    const query = new URLSearchParams({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: CALENDAR_SCOPES.events,
      state: '"><script>alert(1)</script>',
      access_type: 'offline',
      login_hint: 'tutor@school.test',
    });
    const response = await fetch(`${sandbox.url}/o/oauth2/v2/auth?${query.toString()}`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('value="tutor@school.test"');
    expect(html).toContain('View and edit events on all your calendars');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('action="/o/oauth2/v2/auth/decision"');
  });

  it('refuses an unknown client or a missing redirect_uri without redirecting', async () => {
    const unknown = await fetch(
      `${sandbox.url}/o/oauth2/v2/auth?client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&response_type=code&scope=x`,
      { redirect: 'manual' },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('location')).toBeNull();
    const noRedirect = await fetch(`${sandbox.url}/o/oauth2/v2/auth?client_id=${CLIENT_ID}&response_type=code&scope=x`, {
      redirect: 'manual',
    });
    expect(noRedirect.status).toBe(400);
    expect(await noRedirect.text()).toContain('redirect_uri');
  });

  it('redirects with a code on Allow and access_denied on Deny, keeping state', async () => {
    const form = (decision: string): URLSearchParams =>
      new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        scope: CALENDAR_SCOPES.events,
        state: 'st-123',
        access_type: 'offline',
        email: 'consent@sandbox.test',
        decision,
      });
    const allow = await fetch(`${sandbox.url}/o/oauth2/v2/auth/decision`, {
      method: 'POST',
      body: form('allow'),
      redirect: 'manual',
    });
    expect(allow.status).toBe(302);
    const location = new URL(allow.headers.get('location') ?? 'http://missing');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('st-123');
    const code = location.searchParams.get('code');
    expect(code).toBeTruthy();
    const tokens = await exchange(code as string);
    expect(tokens.status).toBe(200);
    expect(tokens.body.refresh_token).toBeTypeOf('string');

    const deny = await fetch(`${sandbox.url}/o/oauth2/v2/auth/decision`, {
      method: 'POST',
      body: form('deny'),
      redirect: 'manual',
    });
    expect(deny.status).toBe(302);
    const denied = new URL(deny.headers.get('location') ?? 'http://missing');
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('st-123');
    expect(denied.searchParams.get('code')).toBeNull();
  });

  it('grants only the scopes left ticked (granular consent), and says so in the token response', async () => {
    const requested = `${CALENDAR_SCOPES.events} ${CALENDAR_SCOPES.readonly}`;
    const decide = (extra: Record<string, string>) =>
      fetch(`${sandbox.url}/o/oauth2/v2/auth/decision`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: CLIENT_ID,
          redirect_uri: REDIRECT_URI,
          scope: requested,
          access_type: 'offline',
          email: 'granular@sandbox.test',
          decision: 'allow',
          ...extra,
        }),
        redirect: 'manual',
      });
    const codeOf = (res: Response) => new URL(res.headers.get('location') ?? 'http://missing').searchParams;
    const partial = codeOf(await decide({ granted_scope: `${CALENDAR_SCOPES.readonly} https://mail.google.com/` }));
    expect(partial.get('scope')).toBe(CALENDAR_SCOPES.readonly);
    const partialTokens = await exchange(partial.get('code')!);
    expect(partialTokens.body.scope).toBe(CALENDAR_SCOPES.readonly);
    const all = codeOf(await decide({}));
    expect((await exchange(all.get('code')!)).body.scope).toBe(requested);
  });
});

describe('OAuth token endpoint', () => {
  it('exchanges a PKCE (S256) code once, checking the verifier', async () => {
    const { verifier, challenge } = pkcePair();
    const { code } = await sandbox.control.authorize({
      email: 'pkce@sandbox.test',
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
    });
    const missing = await exchange(code);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_grant');
    const wrong = await exchange(code, { code_verifier: pkcePair().verifier });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');

    const ok = await exchange(code, { code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toBe('Bearer');
    expect(ok.body.expires_in).toBe(3600);
    expect(ok.body.access_token).toMatch(/^ya29\./);
    expect(ok.body.refresh_token).toBeTypeOf('string');
    expect(ok.body.scope).toContain(CALENDAR_SCOPES.events);

    const reused = await exchange(code, { code_verifier: verifier });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
  });

  it('supports plain PKCE, online access without refresh token, and checks redirect_uri', async () => {
    const verifier = pkcePair().verifier;
    const { code } = await sandbox.control.authorize({
      email: 'online@sandbox.test',
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      accessType: 'online',
      codeChallenge: verifier,
      codeChallengeMethod: 'plain',
    });
    const mismatch = await exchange(code, { code_verifier: verifier, redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toBe('redirect_uri_mismatch');
    const ok = await exchange(code, { code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.body.access_token).toBeTypeOf('string');
    expect(ok.body).not.toHaveProperty('refresh_token');
  });

  it('authenticates the client from the body or HTTP Basic', async () => {
    const { code } = await sandbox.control.authorize({ email: 'basic@sandbox.test', clientId: CLIENT_ID, redirectUri: REDIRECT_URI });
    const badSecret = await exchange(code, { client_secret: 'wrong' });
    expect(badSecret.status).toBe(401);
    expect(badSecret.body.error).toBe('invalid_client');
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    const ok = await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }, { authorization: `Basic ${basic}` });
    expect(ok.status).toBe(200);
    expect(ok.body.access_token).toBeTypeOf('string');
  });

  it('rejects malformed token requests the way Google does', async () => {
    const noGrant = await postToken({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(noGrant.status).toBe(400);
    expect(noGrant.body.error).toBe('invalid_request');
    const badGrant = await postToken({ grant_type: 'password', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(badGrant.status).toBe(400);
    expect(badGrant.body.error).toBe('unsupported_grant_type');
    const unknownRefresh = await refresh('1//not-a-token');
    expect(unknownRefresh.status).toBe(400);
    expect(unknownRefresh.body).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  });

  it('refreshes without rotating the refresh token and counts refreshes per account', async () => {
    const a = await connect('refresh-a@sandbox.test');
    await connect('refresh-b@sandbox.test');
    const first = await refresh(a.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.access_token).toBeTypeOf('string');
    expect(first.body.access_token).not.toBe(a.accessToken);
    expect(first.body).not.toHaveProperty('refresh_token');
    let stats = await sandbox.control.stats();
    expect(stats.byAccount['refresh-a@sandbox.test']?.tokenRefreshes).toBe(1);
    expect(stats.byAccount['refresh-b@sandbox.test']?.tokenRefreshes).toBe(0);

    const second = await refresh(a.refreshToken);
    expect(second.status).toBe(200);
    stats = await sandbox.control.stats();
    expect(stats.byAccount['refresh-a@sandbox.test']?.tokenRefreshes).toBe(2);
    // Both access tokens minted from the grant work.
    expect((await api(first.body.access_token, 'GET', EVENTS)).status).toBe(200);
    expect((await api(second.body.access_token, 'GET', EVENTS)).status).toBe(200);
  });

  it('revokes a grant through /revoke: refresh gets invalid_grant and its access tokens 401', async () => {
    const conn = await connect('revoke@sandbox.test');
    expect((await api(conn.accessToken, 'GET', EVENTS)).status).toBe(200);
    const revoked = await fetch(`${sandbox.url}/revoke?token=${encodeURIComponent(conn.refreshToken)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(revoked.status).toBe(200);
    const after = await refresh(conn.refreshToken);
    expect(after.status).toBe(400);
    expect(after.body).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    const call = await api(conn.accessToken, 'GET', EVENTS);
    expect(call.status).toBe(401);
    const again = await fetch(`${sandbox.url}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: conn.refreshToken }),
    });
    expect(again.status).toBe(400);
    expect(((await again.json()) as TokenBody).error).toBe('invalid_token');
    const stats = await sandbox.control.stats();
    expect(stats.byAccount['revoke@sandbox.test']?.tokenRefreshFailures).toBe(1);
  });

  it('revokes every grant of an account through the control API', async () => {
    const one = await connect('revoke-all@sandbox.test');
    const two = await connect('revoke-all@sandbox.test');
    const other = await connect('keep@sandbox.test');
    await sandbox.control.revoke('revoke-all@sandbox.test');
    expect((await refresh(one.refreshToken)).body.error).toBe('invalid_grant');
    expect((await refresh(two.refreshToken)).body.error).toBe('invalid_grant');
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });
});

describe('Calendar API authentication', () => {
  it('answers 401 with Google body for missing, unknown and expired tokens', async () => {
    const missing = await api(undefined, 'GET', EVENTS);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual(UNAUTHENTICATED);
    expect(missing.headers.get('www-authenticate')).toContain('invalid_token');
    const unknown = await api('ya29.unknown', 'GET', EVENTS);
    expect(unknown.status).toBe(401);

    const conn = await connect('expire@sandbox.test');
    const other = await connect('not-expired@sandbox.test');
    expect((await api(conn.accessToken, 'GET', EVENTS)).status).toBe(200);
    await sandbox.control.expireAccessTokens('expire@sandbox.test');
    const expired = await api(conn.accessToken, 'GET', EVENTS);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(UNAUTHENTICATED);
    expect((await api(other.accessToken, 'GET', EVENTS)).status).toBe(200);
    const renewed = await refresh(conn.refreshToken);
    expect((await api(renewed.body.access_token, 'GET', EVENTS)).status).toBe(200);
  });

  it('expires access tokens after the configured TTL', async () => {
    frozenClock = Date.now();
    await sandbox.control.configure({ accessTokenTtlSeconds: 1 });
    const { code } = await sandbox.control.authorize({ email: 'ttl@sandbox.test', clientId: CLIENT_ID, redirectUri: REDIRECT_URI });
    const tokens = await exchange(code);
    expect(tokens.body.expires_in).toBe(1);
    expect((await api(tokens.body.access_token, 'GET', EVENTS)).status).toBe(200);
    frozenClock += 999;
    expect((await api(tokens.body.access_token, 'GET', EVENTS)).status).toBe(200);
    frozenClock += 1;
    expect((await api(tokens.body.access_token, 'GET', EVENTS)).status).toBe(401);
  });

  it('serves the primary calendar list entry and enforces scopes', async () => {
    const conn = await connect('Owner@Sandbox.test');
    const primary = await api(conn.accessToken, 'GET', '/calendar/v3/users/me/calendarList/primary');
    expect(primary.status).toBe(200);
    expect(primary.body).toMatchObject({
      kind: 'calendar#calendarListEntry',
      id: 'owner@sandbox.test',
      summary: 'owner@sandbox.test',
      primary: true,
      timeZone: 'UTC',
      accessRole: 'owner',
    });
    const byEmail = await api(conn.accessToken, 'GET', '/calendar/v3/users/me/calendarList/owner%40sandbox.test');
    expect(byEmail.status).toBe(200);
    const foreign = await api(conn.accessToken, 'GET', '/calendar/v3/calendars/someone%40else.test/events');
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(NOT_FOUND);

    // calendar.events alone can write events but cannot read the calendar list.
    const narrow = await connect('narrow@sandbox.test', CALENDAR_SCOPES.events);
    const denied = await api(narrow.accessToken, 'GET', '/calendar/v3/users/me/calendarList/primary');
    expect(denied.status).toBe(403);
    expect(reasonOf(denied)).toBe('insufficientPermissions');
    expect((await api(narrow.accessToken, 'POST', EVENTS, eventBody())).status).toBe(200);
  });

  it('answers unknown Calendar API routes with a Google-shaped 404', async () => {
    const conn = await connect('routes@sandbox.test');
    const result = await api(conn.accessToken, 'GET', '/calendar/v3/no/such/thing');
    expect(result.status).toBe(404);
    expect(result.body).toEqual(NOT_FOUND);
  });
});

describe('events', () => {
  let token: string;
  beforeEach(async () => {
    token = (await connect('events@sandbox.test')).accessToken;
  });

  it('inserts with a client id and returns the full resource', async () => {
    const longKey = 'k'.repeat(45);
    const result = await api(
      token,
      'POST',
      EVENTS,
      eventBody({
        id: 'booking0123456789abcdef',
        description: 'Room 4',
        location: 'Online',
        transparency: 'opaque',
        reminders: {
          useDefault: false,
          overrides: [
            { method: 'email', minutes: 1440 },
            { method: 'popup', minutes: 15 },
          ],
        },
        extendedProperties: { private: { bookingId: 'b-1', [longKey]: 'dropped', long: 'x'.repeat(2000) } },
      }),
    );
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      kind: 'calendar#event',
      id: 'booking0123456789abcdef',
      status: 'confirmed',
      summary: 'Maths lesson',
      description: 'Room 4',
      location: 'Online',
      transparency: 'opaque',
      start: { dateTime: '2030-03-01T10:00:00+01:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2030-03-01T11:00:00+01:00', timeZone: 'Europe/Paris' },
      iCalUID: 'booking0123456789abcdef@google.com',
      sequence: 0,
      organizer: { email: 'events@sandbox.test', self: true },
      creator: { email: 'events@sandbox.test', self: true },
      reminders: {
        useDefault: false,
        overrides: [
          { method: 'email', minutes: 1440 },
          { method: 'popup', minutes: 15 },
        ],
      },
    });
    expect(result.body['etag']).toMatch(/^"\d+"$/);
    expect(result.headers.get('etag')).toBe(result.body['etag']);
    expect(result.body['htmlLink']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/calendar\/event\?eid=/);
    expect(Date.parse(String(result.body['created']))).not.toBeNaN();
    const props = (result.body['extendedProperties'] as { private: Record<string, string> }).private;
    expect(props['bookingId']).toBe('b-1');
    expect(props).not.toHaveProperty(longKey);
    expect(props['long']).toHaveLength(1024);

    const link = await fetch(String(result.body['htmlLink']));
    expect(link.status).toBe(200);
    expect(await link.text()).toContain('Maths lesson');
  });

  it('generates an id when none is given', async () => {
    const result = await api(token, 'POST', EVENTS, eventBody());
    expect(result.status).toBe(200);
    expect(result.body['id']).toMatch(/^[0-9a-v]{26}$/);
  });

  it('refuses ids that are not base32hex or not 5–1024 characters', async () => {
    for (const id of ['ABCDEF123', 'abcd', 'event-with-dash', 'w'.repeat(10), 'a'.repeat(1025)]) {
      const result = await api(token, 'POST', EVENTS, eventBody({ id }));
      expect(result.status, id).toBe(400);
      expect(result.body.error?.errors?.[0]).toMatchObject({ reason: 'invalid', message: 'Invalid resource id value.' });
    }
    expect((await api(token, 'POST', EVENTS, eventBody({ id: 'a'.repeat(1024) }))).status).toBe(200);
  });

  it('validates times and reminders', async () => {
    const backwards = await api(
      token,
      'POST',
      EVENTS,
      eventBody({ start: { dateTime: '2030-03-01T11:00:00Z' }, end: { dateTime: '2030-03-01T10:00:00Z' } }),
    );
    expect(backwards.status).toBe(400);
    expect(reasonOf(backwards)).toBe('timeRangeEmpty');
    expect(backwards.body.error).toMatchObject({ message: 'The specified time range is empty.' });

    const noZone = await api(token, 'POST', EVENTS, eventBody({ start: { dateTime: '2030-03-01T10:00:00' } }));
    expect(noZone.status).toBe(400);
    const badZone = await api(token, 'POST', EVENTS, eventBody({ start: { dateTime: '2030-03-01T10:00:00', timeZone: 'Mars/Olympus' } }));
    expect(badZone.status).toBe(400);
    const mixed = await api(token, 'POST', EVENTS, eventBody({ start: { date: '2030-03-01' } }));
    expect(mixed.status).toBe(400);
    const allDay = await api(token, 'POST', EVENTS, eventBody({ start: { date: '2030-03-01' }, end: { date: '2030-03-02' } }));
    expect(allDay.status).toBe(200);
    expect(allDay.body['start']).toEqual({ date: '2030-03-01' });

    const six = Array.from({ length: 6 }, (_, i) => ({ method: 'popup', minutes: i }));
    const tooMany = await api(token, 'POST', EVENTS, eventBody({ reminders: { useDefault: false, overrides: six } }));
    expect(tooMany.status).toBe(400);
    const tooFar = await api(
      token,
      'POST',
      EVENTS,
      eventBody({ reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 40321 }] } }),
    );
    expect(tooFar.status).toBe(400);
    const sms = await api(
      token,
      'POST',
      EVENTS,
      eventBody({ reminders: { useDefault: false, overrides: [{ method: 'sms', minutes: 10 }] } }),
    );
    expect(sms.status).toBe(400);
    const maxOk = await api(
      token,
      'POST',
      EVENTS,
      eventBody({ reminders: { useDefault: false, overrides: [{ method: 'email', minutes: 40320 }] } }),
    );
    expect(maxOk.status).toBe(200);
    expect(await sandbox.control.listEvents('events@sandbox.test')).toHaveLength(2);
  });

  it('answers 409 duplicate for an existing id, even after deletion', async () => {
    const id = 'dup0123456789';
    expect((await api(token, 'POST', EVENTS, eventBody({ id }))).status).toBe(200);
    const duplicate = await api(token, 'POST', EVENTS, eventBody({ id }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toEqual(DUPLICATE);
    expect((await api(token, 'DELETE', `${EVENTS}/${id}`)).status).toBe(204);
    const afterDelete = await api(token, 'POST', EVENTS, eventBody({ id }));
    expect(afterDelete.status).toBe(409);
    expect(afterDelete.body).toEqual(DUPLICATE);
  });

  it('deletes into a cancelled tombstone; a second delete is 410; unknown ids are 404', async () => {
    const id = 'del0123456789';
    await api(token, 'POST', EVENTS, eventBody({ id }));
    const first = await api(token, 'DELETE', `${EVENTS}/${id}`);
    expect(first.status).toBe(204);
    const got = await api(token, 'GET', `${EVENTS}/${id}`);
    expect(got.status).toBe(200);
    expect(got.body['status']).toBe('cancelled');
    const second = await api(token, 'DELETE', `${EVENTS}/${id}`);
    expect(second.status).toBe(410);
    expect(second.body).toEqual(DELETED);

    for (const method of ['GET', 'DELETE', 'PUT', 'PATCH']) {
      const body = method === 'PUT' || method === 'PATCH' ? eventBody() : undefined;
      const result = await api(token, method, `${EVENTS}/never0123456`, body);
      expect(result.status, method).toBe(404);
      expect(result.body, method).toEqual(NOT_FOUND);
    }
  });

  it('revives a cancelled event with update, bumping etag and sequence', async () => {
    const id = 'revive0123456';
    const created = await api(token, 'POST', EVENTS, eventBody({ id }));
    await api(token, 'DELETE', `${EVENTS}/${id}`);
    const revived = await api(
      token,
      'PUT',
      `${EVENTS}/${id}`,
      eventBody({ summary: 'Moved lesson', start: { dateTime: '2030-03-02T10:00:00Z' }, end: { dateTime: '2030-03-02T11:00:00Z' } }),
    );
    expect(revived.status).toBe(200);
    expect(revived.body).toMatchObject({ id, status: 'confirmed', summary: 'Moved lesson', sequence: 1 });
    expect(revived.body['etag']).not.toBe(created.body['etag']);
    const listed = await api(token, 'GET', EVENTS);
    expect((listed.body['items'] as Array<{ id: string }>).map((e) => e.id)).toEqual([id]);
  });

  it('honours If-Match: stale etag is 412, current etag writes', async () => {
    const id = 'etag0123456789';
    const created = await api(token, 'POST', EVENTS, eventBody({ id }));
    const etag = String(created.body['etag']);
    const patched = await api(token, 'PATCH', `${EVENTS}/${id}`, { summary: 'Renamed' }, { 'if-match': etag });
    expect(patched.status).toBe(200);
    expect(patched.body['summary']).toBe('Renamed');
    // Patch keeps what it did not mention.
    expect(patched.body['start']).toEqual({ dateTime: '2030-03-01T10:00:00+01:00', timeZone: 'Europe/Paris' });
    const stale = await api(token, 'PUT', `${EVENTS}/${id}`, eventBody(), { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body.error?.errors?.[0]).toMatchObject({ reason: 'conditionNotMet', message: 'Precondition Failed' });
    const staleDelete = await api(token, 'DELETE', `${EVENTS}/${id}`, undefined, { 'if-match': etag });
    expect(staleDelete.status).toBe(412);
    const current = await api(token, 'PUT', `${EVENTS}/${id}`, eventBody(), { 'if-match': String(patched.body['etag']) });
    expect(current.status).toBe(200);
    expect(current.body['summary']).toBe('Maths lesson');
  });

  it('keeps each account’s calendar separate', async () => {
    const other = await connect('other@sandbox.test');
    await api(token, 'POST', EVENTS, eventBody({ id: 'mine012345678' }));
    expect((await api(other.accessToken, 'GET', `${EVENTS}/mine012345678`)).status).toBe(404);
    expect((await api(other.accessToken, 'POST', EVENTS, eventBody({ id: 'mine012345678' }))).status).toBe(200);
  });
});

describe('events.list', () => {
  let token: string;
  beforeEach(async () => {
    token = (await connect('list@sandbox.test')).accessToken;
  });

  async function list(query: string): Promise<ApiResult & { ids: string[] }> {
    const result = await api(token, 'GET', `${EVENTS}?${query}`);
    const items = (result.body['items'] as Array<{ id: string }> | undefined) ?? [];
    return { ...result, ids: items.map((item) => item.id) };
  }

  it('filters by privateExtendedProperty, showDeleted, time range and q', async () => {
    const tag = (bookingId: string, connection = 'c1'): Record<string, unknown> => ({
      extendedProperties: { private: { bookingId, connectionId: connection } },
    });
    await api(token, 'POST', EVENTS, eventBody({ id: 'aaaaa11111', ...tag('b1') }));
    await api(token, 'POST', EVENTS, eventBody({ id: 'bbbbb22222', ...tag('b2'), summary: 'Piano' }));
    await api(token, 'POST', EVENTS, eventBody({ id: 'ccccc33333', ...tag('b1', 'c2') }));
    await api(
      token,
      'POST',
      EVENTS,
      eventBody({ id: 'ddddd44444', start: { dateTime: '2030-04-01T10:00:00Z' }, end: { dateTime: '2030-04-01T11:00:00Z' } }),
    );
    await api(token, 'DELETE', `${EVENTS}/ccccc33333`);

    const byBooking = await list('privateExtendedProperty=bookingId%3Db1');
    expect(byBooking.status).toBe(200);
    expect(byBooking.body['kind']).toBe('calendar#events');
    expect(byBooking.ids).toEqual(['aaaaa11111']);
    const withDeleted = await list('privateExtendedProperty=bookingId%3Db1&showDeleted=true');
    expect(withDeleted.ids).toEqual(['aaaaa11111', 'ccccc33333']);
    const both = await list('privateExtendedProperty=bookingId%3Db1&privateExtendedProperty=connectionId%3Dc2&showDeleted=true');
    expect(both.ids).toEqual(['ccccc33333']);

    // Overlap: ends after timeMin and starts before timeMax.
    const march = await list(`timeMin=${encodeURIComponent('2030-03-01T09:30:00Z')}&timeMax=${encodeURIComponent('2030-03-02T00:00:00Z')}`);
    expect(march.ids).toEqual(['aaaaa11111', 'bbbbb22222']);
    const touching = await list(`timeMin=${encodeURIComponent('2030-04-01T11:00:00Z')}`);
    expect(touching.ids).toEqual([]);
    expect((await list('q=piano')).ids).toEqual(['bbbbb22222']);

    const ordered = await list('orderBy=startTime&singleEvents=true');
    expect(ordered.ids).toEqual(['aaaaa11111', 'bbbbb22222', 'ddddd44444']);
    const badOrder = await list('orderBy=startTime');
    expect(badOrder.status).toBe(400);
  });

  it('pages with maxResults and returns nextSyncToken only on the last page', async () => {
    for (let i = 0; i < 5; i += 1) await api(token, 'POST', EVENTS, eventBody({ id: `page${i}abcdef` }));
    const first = await list('maxResults=2');
    expect(first.ids).toEqual(['page0abcdef', 'page1abcdef']);
    expect(first.body['nextPageToken']).toBeTypeOf('string');
    expect(first.body).not.toHaveProperty('nextSyncToken');
    const second = await list(`maxResults=2&pageToken=${String(first.body['nextPageToken'])}`);
    expect(second.ids).toEqual(['page2abcdef', 'page3abcdef']);
    const third = await list(`maxResults=2&pageToken=${String(second.body['nextPageToken'])}`);
    expect(third.ids).toEqual(['page4abcdef']);
    expect(third.body).not.toHaveProperty('nextPageToken');
    expect(third.body['nextSyncToken']).toBeTypeOf('string');
    // A page token can be replayed (a retried request must not fail).
    const replay = await list(`maxResults=2&pageToken=${String(first.body['nextPageToken'])}`);
    expect(replay.ids).toEqual(['page2abcdef', 'page3abcdef']);
  });

  it('syncs incrementally with syncToken, including deletions', async () => {
    await api(token, 'POST', EVENTS, eventBody({ id: 'keep0123456' }));
    await api(token, 'POST', EVENTS, eventBody({ id: 'gone0123456' }));
    await api(token, 'POST', EVENTS, eventBody({ id: 'edit0123456' }));
    const full = await list('');
    expect(full.ids).toHaveLength(3);
    const syncToken = String(full.body['nextSyncToken']);

    await api(token, 'DELETE', `${EVENTS}/gone0123456`);
    await api(token, 'PATCH', `${EVENTS}/edit0123456`, { summary: 'Edited' });
    await api(token, 'POST', EVENTS, eventBody({ id: 'add00123456' }));
    const user = await sandbox.control.createUserEvent('list@sandbox.test', {
      summary: 'Dentist',
      start: { dateTime: '2030-03-05T08:00:00Z' },
      end: { dateTime: '2030-03-05T09:00:00Z' },
    });

    const delta = await list(`syncToken=${encodeURIComponent(syncToken)}`);
    expect(delta.status).toBe(200);
    expect(delta.ids).toEqual(['gone0123456', 'edit0123456', 'add00123456', user.id]);
    const items = delta.body['items'] as Array<{ id: string; status: string; summary?: string }>;
    expect(items.find((item) => item.id === 'gone0123456')?.status).toBe('cancelled');
    expect(items.find((item) => item.id === 'edit0123456')?.summary).toBe('Edited');

    const nothing = await list(`syncToken=${encodeURIComponent(String(delta.body['nextSyncToken']))}`);
    expect(nothing.ids).toEqual([]);
    expect(nothing.body['nextSyncToken']).toBeTypeOf('string');

    const combined = await list(`syncToken=${encodeURIComponent(syncToken)}&timeMin=${encodeURIComponent('2030-01-01T00:00:00Z')}`);
    expect(combined.status).toBe(400);
    const bogus = await list('syncToken=not-a-real-token');
    expect(bogus.status).toBe(410);
    expect(bogus.body.error?.errors?.[0]).toMatchObject({
      reason: 'fullSyncRequired',
      message: 'Sync token is no longer valid, a full sync is required.',
    });
    await sandbox.control.invalidateSyncTokens('list@sandbox.test');
    expect((await list(`syncToken=${encodeURIComponent(syncToken)}`)).status).toBe(410);
  });
});

describe('per-user rate limit', () => {
  it('answers 403 userRateLimitExceeded past the per-user limit, per account', async () => {
    const limited = await connect('busy@sandbox.test');
    const calm = await connect('calm@sandbox.test');
    await sandbox.control.configure({ perUserPerMinute: 3 });
    for (let i = 0; i < 3; i += 1) expect((await api(limited.accessToken, 'GET', EVENTS)).status).toBe(200);
    const over = await api(limited.accessToken, 'GET', EVENTS);
    expect(over.status).toBe(403);
    expect(over.body).toEqual(RATE_LIMITED);
    expect((await api(limited.accessToken, 'GET', EVENTS)).status).toBe(403);
    expect((await api(calm.accessToken, 'GET', EVENTS)).status).toBe(200);
    const stats = await sandbox.control.stats();
    expect(stats.byAccount['busy@sandbox.test']?.rateLimited).toBe(2);
    expect(stats.byAccount['calm@sandbox.test']?.rateLimited).toBe(0);

    await sandbox.control.configure({ perUserPerMinute: 0 });
    expect((await api(limited.accessToken, 'GET', EVENTS)).status).toBe(200);
  });

  it('admits the per-minute rate over a configured window: 6 a minute over 30 s is 3 in any 30 s', async () => {
    const conn = await connect('windowed@sandbox.test');
    await sandbox.control.configure({ perUserPerMinute: 6, perUserWindowSeconds: 30 });
    for (let i = 0; i < 3; i += 1) expect((await api(conn.accessToken, 'GET', EVENTS)).status).toBe(200);
    expect((await api(conn.accessToken, 'GET', EVENTS)).status).toBe(403);
    expect((await sandbox.control.stats()).byAccount['windowed@sandbox.test']?.rateLimited).toBe(1);
    await sandbox.control.configure({ perUserPerMinute: 0, perUserWindowSeconds: 60 });
  });

  it('uses a sliding window in which refused requests do not count', () => {
    const limiter = new SlidingWindowRateLimiter();
    expect(limiter.tryAcquire('u', 2, 0)).toBe(true);
    expect(limiter.tryAcquire('u', 2, 30_000)).toBe(true);
    for (let t = 31_000; t < 60_000; t += 1000) expect(limiter.tryAcquire('u', 2, t)).toBe(false);
    // The first request left the window; the refused ones were never recorded.
    expect(limiter.tryAcquire('u', 2, 60_001)).toBe(true);
    expect(limiter.tryAcquire('u', 2, 60_002)).toBe(false);
    expect(limiter.tryAcquire('u', 2, 90_001)).toBe(true);
  });
});

describe('fault injection', () => {
  it('answers with an injected status, reason and Retry-After, once', async () => {
    const conn = await connect('fault-status@sandbox.test');
    await sandbox.control.addFault({ method: 'POST', path: '/events', status: 503, retryAfterSeconds: 7 });
    const failed = await api(conn.accessToken, 'POST', EVENTS, eventBody({ id: 'fault0123456' }));
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('7');
    expect(reasonOf(failed)).toBe('backendError');
    expect(await sandbox.control.listEvents('fault-status@sandbox.test')).toHaveLength(0);
    const ok = await api(conn.accessToken, 'POST', EVENTS, eventBody({ id: 'fault0123456' }));
    expect(ok.status).toBe(200);

    await sandbox.control.addFault({ status: 403, reason: 'rateLimitExceeded', account: 'fault-status@sandbox.test', times: 2 });
    const other = await connect('fault-other@sandbox.test');
    expect((await api(other.accessToken, 'GET', EVENTS)).status).toBe(200);
    const limited = await api(conn.accessToken, 'GET', EVENTS);
    expect(limited.status).toBe(403);
    expect(limited.body.error?.errors?.[0]).toMatchObject({ domain: 'usageLimits', reason: 'rateLimitExceeded' });
    expect((await api(conn.accessToken, 'GET', EVENTS)).status).toBe(403);
    expect((await api(conn.accessToken, 'GET', EVENTS)).status).toBe(200);
    expect((await sandbox.control.stats()).faultsInjected).toBe(3);
  });

  it('drops the response after really performing the write', async () => {
    const conn = await connect('fault-drop@sandbox.test');
    await sandbox.control.addFault({ method: 'POST', path: '/events', dropResponse: true });
    await expect(api(conn.accessToken, 'POST', EVENTS, eventBody({ id: 'lost0123456' }))).rejects.toThrow();
    const stored = await sandbox.control.listEvents('fault-drop@sandbox.test');
    expect(stored.map((event) => event.id)).toEqual(['lost0123456']);
    const retry = await api(conn.accessToken, 'POST', EVENTS, eventBody({ id: 'lost0123456' }));
    expect(retry.status).toBe(409);
  });

  it('resets the connection before doing anything', async () => {
    const conn = await connect('fault-reset@sandbox.test');
    await sandbox.control.addFault({ method: 'POST', path: '/events', resetConnection: true });
    await expect(api(conn.accessToken, 'POST', EVENTS, eventBody({ id: 'never0123456' }))).rejects.toThrow();
    expect(await sandbox.control.listEvents('fault-reset@sandbox.test', { showDeleted: true })).toHaveLength(0);
    expect((await api(conn.accessToken, 'POST', EVENTS, eventBody({ id: 'never0123456' }))).status).toBe(200);
  });

  it('adds latency and then handles the request normally', async () => {
    const conn = await connect('fault-latency@sandbox.test');
    await sandbox.control.addFault({ method: 'GET', path: '/events', latencyMs: 300 });
    const started = Date.now();
    const slow = await api(conn.accessToken, 'GET', EVENTS);
    const elapsed = Date.now() - started;
    expect(slow.status).toBe(200);
    // A lower bound only: a slow machine makes it longer, never shorter.
    expect(elapsed).toBeGreaterThanOrEqual(290);
    // The rule was used up by that request: the next one is not delayed (the sandbox's own count, no stopwatch).
    expect((await api(conn.accessToken, 'GET', EVENTS)).status).toBe(200);
    expect(await sandbox.control.listFaults()).toEqual([expect.objectContaining({ latencyMs: 300, hits: 1, remaining: 0 })]);
    expect((await sandbox.control.stats()).faultsInjected).toBe(1);
  });

  it('draws probabilistic faults from a seeded PRNG, repeatably', async () => {
    async function pattern(): Promise<number[]> {
      await sandbox.control.reset();
      const conn = await connect('fault-random@sandbox.test');
      await sandbox.control.addFault({ path: '/events', status: 500, probability: 0.5, seed: 42, times: 'always' });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i += 1) statuses.push((await api(conn.accessToken, 'GET', EVENTS)).status);
      return statuses;
    }
    const first = await pattern();
    const second = await pattern();
    expect(second).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it('applies to /token but never to /sandbox', async () => {
    const conn = await connect('fault-token@sandbox.test');
    await sandbox.control.addFault({ status: 500, times: 'always' });
    const failed = await refresh(conn.refreshToken);
    expect(failed.status).toBe(500);
    expect(failed.body.error).toBe('server_error');
    const stats = await sandbox.control.stats();
    expect(stats.byAccount['fault-token@sandbox.test']?.tokenRefreshes).toBe(0);
    await sandbox.control.clearFaults();
    expect((await refresh(conn.refreshToken)).status).toBe(200);
  });
});

describe('googleapis client against the sandbox', () => {
  function oauthClient(): InstanceType<typeof google.auth.OAuth2> {
    return new google.auth.OAuth2({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      endpoints: {
        oauth2AuthBaseUrl: `${sandbox.url}/o/oauth2/v2/auth`,
        oauth2TokenUrl: `${sandbox.url}/token`,
        oauth2RevokeUrl: `${sandbox.url}/revoke`,
      },
    });
  }

  function calendar(auth?: InstanceType<typeof google.auth.OAuth2>): calendar_v3.Calendar {
    return google.calendar({ version: 'v3', rootUrl: `${sandbox.url}/`, retry: false, ...(auth ? { auth } : {}) });
  }

  async function failure(promise: Promise<unknown>): Promise<{ status?: number; reason?: string }> {
    try {
      await promise;
    } catch (error) {
      const response = (error as { response?: { status?: number; data?: { error?: { errors?: Array<{ reason?: string }> } } } }).response;
      return { status: response?.status, reason: response?.data?.error?.errors?.[0]?.reason };
    }
    throw new Error('expected the call to fail');
  }

  it('exchanges a PKCE code, inserts with a client id, and sees 409 on a retry', async () => {
    const client = oauthClient();
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const { code } = await sandbox.control.authorize({
      email: 'lib@sandbox.test',
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      codeChallenge,
      codeChallengeMethod: 'S256',
    });
    const { tokens } = await client.getToken({ code, codeVerifier });
    expect(tokens.refresh_token).toBeTypeOf('string');
    client.setCredentials(tokens);
    const cal = calendar(client);

    const entry = await cal.calendarList.get({ calendarId: 'primary' });
    expect(entry.data.id).toBe('lib@sandbox.test');
    const inserted = await cal.events.insert({
      calendarId: 'primary',
      requestBody: {
        id: 'lib0123456789',
        summary: 'Library insert',
        start: { dateTime: '2030-05-01T10:00:00Z' },
        end: { dateTime: '2030-05-01T11:00:00Z' },
        extendedProperties: { private: { bookingId: 'lib-1' } },
      },
    });
    expect(inserted.status).toBe(200);
    expect(inserted.data.id).toBe('lib0123456789');
    const duplicate = await failure(
      cal.events.insert({
        calendarId: 'primary',
        requestBody: { id: 'lib0123456789', start: { dateTime: '2030-05-01T10:00:00Z' }, end: { dateTime: '2030-05-01T11:00:00Z' } },
      }),
    );
    expect(duplicate).toEqual({ status: 409, reason: 'duplicate' });
    const listed = await cal.events.list({ calendarId: 'primary', privateExtendedProperty: ['bookingId=lib-1'] });
    expect(listed.data.items?.map((item) => item.id)).toEqual(['lib0123456789']);
  });

  it('lets OAuth2Client refresh once after a 401 and carry on', async () => {
    const conn = await connect('lib-refresh@sandbox.test');
    const client = oauthClient();
    // No expiry_date: the library learns about expiry from the 401, as after a restart.
    client.setCredentials({ access_token: conn.accessToken, refresh_token: conn.refreshToken });
    await sandbox.control.expireAccessTokens('lib-refresh@sandbox.test');
    const result = await calendar(client).events.list({ calendarId: 'primary' });
    expect(result.status).toBe(200);
    const stats = await sandbox.control.stats();
    expect(stats.byAccount['lib-refresh@sandbox.test']?.tokenRefreshes).toBe(1);
  });

  it('works with a per-call Authorization header and surfaces 429 without retrying', async () => {
    const conn = await connect('lib-headers@sandbox.test');
    const cal = calendar();
    const headers = { Authorization: `Bearer ${conn.accessToken}` };
    const ok = await cal.events.list({ calendarId: 'primary' }, { headers });
    expect(ok.status).toBe(200);
    const before = (await sandbox.control.stats()).byAccount['lib-headers@sandbox.test']?.requests ?? 0;
    await sandbox.control.addFault({ method: 'GET', status: 429, retryAfterSeconds: 2 });
    const limited = await failure(cal.events.list({ calendarId: 'primary' }, { headers }));
    expect(limited).toEqual({ status: 429, reason: 'rateLimitExceeded' });
    const after = (await sandbox.control.stats()).byAccount['lib-headers@sandbox.test']?.requests ?? 0;
    expect(after - before).toBe(1);
    const gone = await failure(cal.events.delete({ calendarId: 'primary', eventId: 'nothere012345' }, { headers }));
    expect(gone).toEqual({ status: 404, reason: 'notFound' });
  });
});

describe('secondary calendars', () => {
  const USER = 'multi@sandbox.test';
  const REQUIRED_ACCESS = {
    error: {
      errors: [{ domain: 'global', reason: 'requiredAccessLevel', message: 'You need to have writer access to this calendar.' }],
      code: 403,
      message: 'You need to have writer access to this calendar.',
    },
  };
  const SECONDARY_ID = /^c_[0-9a-f]{64}@group\.calendar\.google\.com$/;

  let token: string;
  let work: string;
  let shared: string;
  beforeEach(async () => {
    token = (await connect(USER)).accessToken;
    work = (await sandbox.control.createCalendar(USER, { summary: 'Work', timeZone: 'Europe/Berlin' })).id;
    shared = (await sandbox.control.createCalendar(USER, { summary: 'Team holidays', accessRole: 'reader' })).id;
  });

  const eventsOf = (calendarId: string): string => `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`;
  const idsOf = (result: ApiResult): string[] => ((result.body['items'] as Array<{ id: string }> | undefined) ?? []).map((item) => item.id);

  it('creates calendars through the control API with Google-like ids', async () => {
    const created = await sandbox.control.createCalendar(USER, { summary: 'Tutoring' });
    expect(created).toMatchObject({
      kind: 'calendar#calendarListEntry',
      summary: 'Tutoring',
      timeZone: 'UTC',
      accessRole: 'owner',
      selected: true,
      defaultReminders: [],
    });
    expect(created.id).toMatch(SECONDARY_ID);
    expect(created).not.toHaveProperty('primary');
    expect(new Set([created.id, work, shared]).size).toBe(3);
    const listed = await sandbox.control.listCalendars(USER);
    expect(listed.map((entry) => entry.id)).toEqual([USER, work, shared, created.id]);
    expect(listed.map((entry) => entry.accessRole)).toEqual(['owner', 'owner', 'reader', 'owner']);

    const response = await fetch(`${sandbox.url}/sandbox/accounts/${encodeURIComponent(USER)}/calendars`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ summary: 'Raw' }),
    });
    expect(response.status).toBe(201);
    await expect(sandbox.control.createCalendar(USER, { summary: 'Bad zone', timeZone: 'Mars/Olympus' })).rejects.toMatchObject({
      status: 400,
    });
    await expect(sandbox.control.createCalendar(USER, { summary: '' })).rejects.toMatchObject({ status: 400 });
    await expect(sandbox.control.createCalendar('nobody@sandbox.test', { summary: 'X' })).rejects.toMatchObject({ status: 404 });
  });

  it('deletes a secondary calendar through the control API: it leaves the list, and calls on it get 404 notFound', async () => {
    await sandbox.control.deleteCalendar(USER, work);
    expect((await sandbox.control.listCalendars(USER)).map((entry) => entry.id)).toEqual([USER, shared]);
    const insert = await api(token, 'POST', eventsOf(work), {
      summary: 'Lesson',
      start: { dateTime: '2030-01-01T10:00:00Z' },
      end: { dateTime: '2030-01-01T11:00:00Z' },
    });
    expect(insert.status).toBe(404);
    expect(reasonOf(insert)).toBe('notFound');
    expect((await api(token, 'GET', eventsOf(work))).status).toBe(404);
    await expect(sandbox.control.deleteCalendar(USER, work)).rejects.toMatchObject({ status: 404 });
    await expect(sandbox.control.deleteCalendar(USER, 'primary')).rejects.toMatchObject({ status: 400 });
  });

  it('lists calendars primary first, filters by minAccessRole and pages', async () => {
    const writable = (await sandbox.control.createCalendar(USER, { summary: 'Shared with me', accessRole: 'writer' })).id;
    const all = await api(token, 'GET', '/calendar/v3/users/me/calendarList');
    expect(all.status).toBe(200);
    expect(all.body['kind']).toBe('calendar#calendarList');
    expect(all.body).not.toHaveProperty('nextPageToken');
    const items = all.body['items'] as Array<Record<string, unknown>>;
    expect(items.map((item) => item['id'])).toEqual([USER, work, shared, writable]);
    expect(items.map((item) => item['primary'])).toEqual([true, undefined, undefined, undefined]);
    expect(items[1]).toMatchObject({ summary: 'Work', timeZone: 'Europe/Berlin', accessRole: 'owner' });
    expect(items[2]).toMatchObject({ summary: 'Team holidays', accessRole: 'reader' });

    const list = async (query: string): Promise<string[]> => {
      const result = await api(token, 'GET', `/calendar/v3/users/me/calendarList?${query}`);
      expect(result.status, query).toBe(200);
      return idsOf(result);
    };
    expect(await list('minAccessRole=writer')).toEqual([USER, work, writable]);
    expect(await list('minAccessRole=owner')).toEqual([USER, work]);
    expect(await list('minAccessRole=reader')).toEqual([USER, work, shared, writable]);
    const bogus = await api(token, 'GET', '/calendar/v3/users/me/calendarList?minAccessRole=admin');
    expect(bogus.status).toBe(400);
    expect(reasonOf(bogus)).toBe('invalidParameter');

    const first = await api(token, 'GET', '/calendar/v3/users/me/calendarList?maxResults=2&minAccessRole=writer');
    expect(idsOf(first)).toEqual([USER, work]);
    const pageToken = first.body['nextPageToken'];
    expect(pageToken).toBeTypeOf('string');
    // A calendar added between pages does not shift the frozen list.
    await sandbox.control.createCalendar(USER, { summary: 'Late' });
    const second = await api(token, 'GET', `/calendar/v3/users/me/calendarList?maxResults=2&pageToken=${String(pageToken)}`);
    expect(idsOf(second)).toEqual([writable]);
    expect(second.body).not.toHaveProperty('nextPageToken');
    const badToken = await api(token, 'GET', '/calendar/v3/users/me/calendarList?pageToken=nope');
    expect(badToken.status).toBe(400);
  });

  it('gets one calendar list entry and the calendar resource by id', async () => {
    const entry = await api(token, 'GET', `/calendar/v3/users/me/calendarList/${encodeURIComponent(work)}`);
    expect(entry.status).toBe(200);
    expect(entry.body).toMatchObject({ kind: 'calendar#calendarListEntry', id: work, summary: 'Work', accessRole: 'owner' });
    expect(entry.body).not.toHaveProperty('primary');
    const reader = await api(token, 'GET', `/calendar/v3/users/me/calendarList/${encodeURIComponent(shared)}`);
    expect(reader.body).toMatchObject({ id: shared, accessRole: 'reader' });
    const resource = await api(token, 'GET', `/calendar/v3/calendars/${encodeURIComponent(work)}`);
    expect(resource.status).toBe(200);
    expect(resource.body).toMatchObject({ kind: 'calendar#calendar', id: work, summary: 'Work', timeZone: 'Europe/Berlin' });
    const upper = await api(token, 'GET', `/calendar/v3/calendars/${encodeURIComponent(work.toUpperCase())}`);
    expect(upper.body['id']).toBe(work);
    const primary = await api(token, 'GET', '/calendar/v3/calendars/primary');
    expect(primary.body).toMatchObject({ id: USER, summary: USER, timeZone: 'UTC' });
  });

  it('keeps events per calendar: the same client id lives in primary and secondary', async () => {
    const id = 'same0123456789';
    const inPrimary = await api(token, 'POST', EVENTS, eventBody({ id, summary: 'Primary copy' }));
    const inWork = await api(token, 'POST', eventsOf(work), eventBody({ id, summary: 'Work copy' }));
    expect(inPrimary.status).toBe(200);
    expect(inWork.status).toBe(200);
    expect(inWork.body['etag']).not.toBe(inPrimary.body['etag']);
    expect(inWork.body).toMatchObject({
      id,
      summary: 'Work copy',
      organizer: { email: work, displayName: 'Work', self: true },
      creator: { email: USER },
    });
    expect(inWork.body['creator']).not.toHaveProperty('self');
    expect(inPrimary.body).toMatchObject({ organizer: { email: USER, self: true }, creator: { email: USER, self: true } });
    const again = await api(token, 'POST', eventsOf(work), eventBody({ id }));
    expect(again.status).toBe(409);
    expect(again.body).toEqual(DUPLICATE);

    const other = await api(token, 'POST', eventsOf(work), eventBody({ id: 'jobonl0123456' }));
    expect(other.status).toBe(200);
    const primaryList = await api(token, 'GET', EVENTS);
    const workList = await api(token, 'GET', eventsOf(work));
    expect(idsOf(primaryList)).toEqual([id]);
    expect(idsOf(workList)).toEqual([id, 'jobonl0123456']);
    expect(primaryList.body).toMatchObject({ summary: USER, timeZone: 'UTC', accessRole: 'owner' });
    expect(workList.body).toMatchObject({ summary: 'Work', timeZone: 'Europe/Berlin', accessRole: 'owner', defaultReminders: [] });
    expect((await api(token, 'GET', `${eventsOf(work)}/${id}`)).body['summary']).toBe('Work copy');
    expect((await api(token, 'GET', `${EVENTS}/jobonl0123456`)).status).toBe(404);

    // Deleting one copy leaves the other alone.
    expect((await api(token, 'DELETE', `${eventsOf(work)}/${id}`)).status).toBe(204);
    expect((await api(token, 'GET', `${EVENTS}/${id}`)).body['status']).toBe('confirmed');
    expect((await sandbox.control.listEvents(USER)).map((event) => event.id)).toEqual([id]);
    expect((await sandbox.control.listEvents(USER, { calendarId: work })).map((event) => event.id)).toEqual(['jobonl0123456']);
    const withDeleted = await sandbox.control.listEvents(USER, { calendarId: work, showDeleted: true });
    expect(withDeleted.map((event) => [event.id, event.status])).toEqual([
      [id, 'cancelled'],
      ['jobonl0123456', 'confirmed'],
    ]);

    const link = await fetch(String(inWork.body['htmlLink']));
    expect(link.status).toBe(200);
    expect(await link.text()).toContain('Work copy');
  });

  it('lets the control API write to any calendar of the account', async () => {
    const start = { dateTime: '2030-06-01T09:00:00Z' };
    const end = { dateTime: '2030-06-01T10:00:00Z' };
    const inPrimary = await sandbox.control.createUserEvent(USER, { summary: 'Primary', start, end });
    const inWork = await sandbox.control.createUserEvent(USER, { summary: 'Work', start, end }, { calendarId: work });
    const inShared = await sandbox.control.createUserEvent(USER, { summary: 'Holiday', start, end }, { calendarId: shared });
    expect(inShared.organizer).toEqual({ email: shared, displayName: 'Team holidays', self: true });
    expect((await api(token, 'GET', EVENTS)).body['items']).toHaveLength(1);
    expect(idsOf(await api(token, 'GET', eventsOf(work)))).toEqual([inWork.id]);
    expect(idsOf(await api(token, 'GET', eventsOf(shared)))).toEqual([inShared.id]);
    expect((await sandbox.control.listEvents(USER, { calendarId: 'primary' })).map((event) => event.id)).toEqual([inPrimary.id]);

    const patched = await sandbox.control.updateUserEvent(USER, inWork.id, { summary: 'Work, moved' }, { calendarId: work });
    expect(patched.summary).toBe('Work, moved');
    await expect(sandbox.control.updateUserEvent(USER, inWork.id, { summary: 'x' })).rejects.toMatchObject({ status: 404 });
    await sandbox.control.deleteUserEvent(USER, inShared.id, { calendarId: shared });
    expect(await sandbox.control.listEvents(USER, { calendarId: shared })).toEqual([]);

    await expect(sandbox.control.listEvents(USER, { calendarId: 'c_unknown@group.calendar.google.com' })).rejects.toMatchObject({
      status: 404,
    });
    const response = await fetch(`${sandbox.url}/sandbox/accounts/${encodeURIComponent(USER)}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ calendarId: 42, start, end }),
    });
    expect(response.status).toBe(400);
  });

  it('answers 403 requiredAccessLevel to writes on a reader calendar, but serves reads', async () => {
    const seeded = await sandbox.control.createUserEvent(
      USER,
      { id: 'hol1da0123456', summary: 'Closed', start: { date: '2030-12-24' }, end: { date: '2030-12-27' } },
      { calendarId: shared },
    );
    const listed = await api(token, 'GET', eventsOf(shared));
    expect(listed.status).toBe(200);
    expect(listed.body['accessRole']).toBe('reader');
    expect(idsOf(listed)).toEqual([seeded.id]);
    expect((await api(token, 'GET', `${eventsOf(shared)}/${seeded.id}`)).status).toBe(200);

    const insert = await api(token, 'POST', eventsOf(shared), eventBody({ id: 'mine0123456789' }));
    expect(insert.status).toBe(403);
    expect(insert.body).toEqual(REQUIRED_ACCESS);
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const body = method === 'DELETE' ? undefined : eventBody({ summary: 'Hijacked' });
      const result = await api(token, method, `${eventsOf(shared)}/${seeded.id}`, body);
      expect(result.status, method).toBe(403);
      expect(result.body, method).toEqual(REQUIRED_ACCESS);
    }
    const after = await sandbox.control.listEvents(USER, { calendarId: shared, showDeleted: true });
    expect(after.map((event) => [event.id, event.summary, event.status, event.etag])).toEqual([
      [seeded.id, 'Closed', 'confirmed', seeded.etag],
    ]);

    const writable = (await sandbox.control.createCalendar(USER, { summary: 'Shared with me', accessRole: 'writer' })).id;
    expect((await api(token, 'POST', eventsOf(writable), eventBody({ id: 'mine0123456789' }))).status).toBe(200);
  });

  it("takes write access away and gives it back (control PATCH), the calendar list showing the account's role", async () => {
    expect((await api(token, 'POST', eventsOf(work), eventBody({ id: 'before0123456' }))).status).toBe(200);
    expect(await sandbox.control.setCalendarAccess(USER, work, 'reader')).toMatchObject({ id: work, accessRole: 'reader' });
    const refused = await api(token, 'POST', eventsOf(work), eventBody({ id: 'during0123456' }));
    expect([refused.status, refused.body]).toEqual([403, REQUIRED_ACCESS]);
    const list = await api(token, 'GET', '/calendar/v3/users/me/calendarList');
    expect((list.body['items'] as Array<{ id: string; accessRole: string }>).find((c) => c.id === work)?.accessRole).toBe('reader');
    await sandbox.control.setCalendarAccess(USER, work, 'writer');
    expect((await api(token, 'POST', eventsOf(work), eventBody({ id: 'after01234567' }))).status).toBe(200);
    await expect(sandbox.control.setCalendarAccess(USER, 'primary', 'reader')).rejects.toMatchObject({ status: 400 });
  });

  it('refuses every Calendar API call of a disabled account with 403 notACalendarUser, until it is enabled again', async () => {
    await sandbox.control.setAccountDisabled(USER, true);
    for (const [method, path] of [
      ['GET', '/calendar/v3/users/me/calendarList'],
      ['GET', eventsOf('primary')],
      ['POST', eventsOf(work)],
    ] as const) {
      const result = await api(token, method, path, method === 'POST' ? eventBody() : undefined);
      expect([result.status, reasonOf(result)], `${method} ${path}`).toEqual([403, 'notACalendarUser']);
    }
    await sandbox.control.setAccountDisabled(USER, false);
    expect((await api(token, 'GET', '/calendar/v3/users/me/calendarList')).status).toBe(200);
  });

  it('answers 404 for calendars of another account', async () => {
    const otherEmail = 'stranger@sandbox.test';
    await connect(otherEmail);
    const theirs = (await sandbox.control.createCalendar(otherEmail, { summary: 'Private' })).id;
    await sandbox.control.createUserEvent(
      otherEmail,
      { id: 'secret01234567', start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } },
      { calendarId: theirs },
    );
    for (const calendarId of [theirs, otherEmail, 'c_nothing@group.calendar.google.com']) {
      const paths: Array<[string, string, unknown?]> = [
        ['GET', eventsOf(calendarId)],
        ['POST', eventsOf(calendarId), eventBody({ id: 'probe012345678' })],
        ['GET', `${eventsOf(calendarId)}/secret01234567`],
        ['DELETE', `${eventsOf(calendarId)}/secret01234567`],
        ['GET', `/calendar/v3/users/me/calendarList/${encodeURIComponent(calendarId)}`],
        ['GET', `/calendar/v3/calendars/${encodeURIComponent(calendarId)}`],
      ];
      for (const [method, path, body] of paths) {
        const result = await api(token, method, path, body);
        expect(result.status, `${method} ${path}`).toBe(404);
        expect(result.body, `${method} ${path}`).toEqual(NOT_FOUND);
      }
    }
    expect(idsOf(await api(token, 'GET', '/calendar/v3/users/me/calendarList'))).not.toContain(theirs);
    expect((await sandbox.control.listEvents(otherEmail, { calendarId: theirs })).map((event) => event.id)).toEqual(['secret01234567']);
    await expect(sandbox.control.listEvents(USER, { calendarId: theirs })).rejects.toMatchObject({ status: 404 });
    await expect(
      sandbox.control.createUserEvent(
        USER,
        { start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } },
        { calendarId: theirs },
      ),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('keeps sync tokens per calendar', async () => {
    await api(token, 'POST', EVENTS, eventBody({ id: 'prim0123456789' }));
    await api(token, 'POST', eventsOf(work), eventBody({ id: 'job00123456789' }));
    const primaryFull = await api(token, 'GET', EVENTS);
    const workFull = await api(token, 'GET', eventsOf(work));
    const primaryToken = String(primaryFull.body['nextSyncToken']);
    const workToken = String(workFull.body['nextSyncToken']);
    expect(primaryFull.body['nextSyncToken']).toBeTypeOf('string');
    expect(workFull.body['nextSyncToken']).toBeTypeOf('string');

    await api(token, 'PATCH', `${eventsOf(work)}/job00123456789`, { summary: 'Changed at work' });
    await api(token, 'POST', eventsOf(work), eventBody({ id: 'job10123456789' }));
    const sync = (calendarPath: string, syncToken: string): Promise<ApiResult> =>
      api(token, 'GET', `${calendarPath}?syncToken=${encodeURIComponent(syncToken)}`);

    const primaryDelta = await sync(EVENTS, primaryToken);
    expect(primaryDelta.status).toBe(200);
    expect(idsOf(primaryDelta)).toEqual([]);
    const workDelta = await sync(eventsOf(work), workToken);
    expect(idsOf(workDelta)).toEqual(['job00123456789', 'job10123456789']);
    // A token belongs to the calendar that issued it.
    expect((await sync(eventsOf(work), primaryToken)).status).toBe(410);
    expect((await sync(EVENTS, workToken)).status).toBe(410);

    const nextWork = String(workDelta.body['nextSyncToken']);
    const nextPrimary = String(primaryDelta.body['nextSyncToken']);
    await sandbox.control.invalidateSyncTokens(USER, { calendarId: work });
    expect((await sync(eventsOf(work), nextWork)).status).toBe(410);
    expect((await sync(EVENTS, nextPrimary)).status).toBe(200);
    await sandbox.control.invalidateSyncTokens(USER);
    expect((await sync(EVENTS, nextPrimary)).status).toBe(410);
  });

  it('reads all-day dates in the calendar’s time zone', async () => {
    const auckland = (await sandbox.control.createCalendar(USER, { summary: 'NZ', timeZone: 'Pacific/Auckland' })).id;
    const allDay = eventBody({ id: 'allda01234567', start: { date: '2030-03-01' }, end: { date: '2030-03-02' } });
    expect((await api(token, 'POST', eventsOf(auckland), allDay)).status).toBe(200);
    expect((await api(token, 'POST', EVENTS, allDay)).status).toBe(200);
    // 2030-03-01 starts at 2030-02-28T11:00Z in Auckland (NZDT, +13:00) and at midnight UTC on the primary.
    const window = `timeMin=${encodeURIComponent('2030-02-28T12:00:00Z')}&timeMax=${encodeURIComponent('2030-02-28T13:00:00Z')}`;
    expect(idsOf(await api(token, 'GET', `${eventsOf(auckland)}?${window}`))).toEqual(['allda01234567']);
    expect(idsOf(await api(token, 'GET', `${EVENTS}?${window}`))).toEqual([]);
  });

  it('limits calendar.events.owned tokens to calendars the user owns', async () => {
    const seeded = await sandbox.control.createUserEvent(
      USER,
      { summary: 'Holiday', start: { date: '2030-12-24' }, end: { date: '2030-12-25' } },
      { calendarId: shared },
    );
    const owned = (await connect(USER, CALENDAR_SCOPES.eventsOwned)).accessToken;
    expect((await api(owned, 'POST', eventsOf(work), eventBody())).status).toBe(200);
    expect((await api(owned, 'GET', EVENTS)).status).toBe(200);
    for (const [method, path] of [
      ['GET', eventsOf(shared)],
      ['GET', `${eventsOf(shared)}/${seeded.id}`],
      ['POST', eventsOf(shared)],
    ] as const) {
      const denied = await api(owned, method, path, method === 'POST' ? eventBody() : undefined);
      expect(denied.status, `${method} ${path}`).toBe(403);
      expect(reasonOf(denied), `${method} ${path}`).toBe('insufficientPermissions');
    }
    // calendar.events reaches every calendar; the reader calendar still refuses writes.
    const events = (await connect(USER, CALENDAR_SCOPES.events)).accessToken;
    expect((await api(events, 'GET', eventsOf(shared))).status).toBe(200);
    expect(reasonOf(await api(events, 'POST', eventsOf(shared), eventBody()))).toBe('requiredAccessLevel');
    expect(reasonOf(await api(events, 'GET', '/calendar/v3/users/me/calendarList'))).toBe('insufficientPermissions');
  });

  it('serves calendarList.list and events on secondary calendars to the googleapis client', async () => {
    const auth = new google.auth.OAuth2({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    auth.setCredentials({ access_token: token });
    const cal = google.calendar({ version: 'v3', rootUrl: `${sandbox.url}/`, retry: false, auth });

    const list = await cal.calendarList.list();
    expect(list.status).toBe(200);
    expect(list.data.items?.map((item) => [item.id, item.accessRole, item.primary ?? false])).toEqual([
      [USER, 'owner', true],
      [work, 'owner', false],
      [shared, 'reader', false],
    ]);
    const writable = await cal.calendarList.list({ minAccessRole: 'writer' });
    expect(writable.data.items?.map((item) => item.id)).toEqual([USER, work]);
    const paged = await cal.calendarList.list({ maxResults: 1 });
    expect(paged.data.items?.map((item) => item.id)).toEqual([USER]);
    const next = await cal.calendarList.list({ maxResults: 1, pageToken: paged.data.nextPageToken ?? 'missing' });
    expect(next.data.items?.map((item) => item.id)).toEqual([work]);

    const inserted = await cal.events.insert({
      calendarId: work,
      requestBody: { id: 'libjob0123456', start: { dateTime: '2030-05-01T10:00:00Z' }, end: { dateTime: '2030-05-01T11:00:00Z' } },
    });
    expect(inserted.data.organizer?.email).toBe(work);
    const events = await cal.events.list({ calendarId: work });
    expect(events.data.items?.map((item) => item.id)).toEqual(['libjob0123456']);
    expect(events.data.timeZone).toBe('Europe/Berlin');

    let failure: { status?: number; reason?: string } | undefined;
    try {
      await cal.events.insert({
        calendarId: shared,
        requestBody: { start: { dateTime: '2030-05-01T10:00:00Z' }, end: { dateTime: '2030-05-01T11:00:00Z' } },
      });
    } catch (error) {
      const response = (error as { response?: { status?: number; data?: { error?: { errors?: Array<{ reason?: string }> } } } }).response;
      failure = { status: response?.status, reason: response?.data?.error?.errors?.[0]?.reason };
    }
    expect(failure).toEqual({ status: 403, reason: 'requiredAccessLevel' });
  });
});

describe('recurring events', () => {
  const USER = 'series@sandbox.test';
  let token: string;
  beforeEach(async () => {
    token = (await connect(USER)).accessToken;
  });

  interface Item {
    id: string;
    status: string;
    start: { dateTime?: string; date?: string; timeZone?: string };
    end: { dateTime?: string; date?: string; timeZone?: string };
    recurringEventId?: string;
    originalStartTime?: { dateTime?: string; date?: string; timeZone?: string };
    recurrence?: string[];
    iCalUID: string;
    summary?: string;
  }

  async function list(query: string): Promise<ApiResult & { items: Item[]; ids: string[] }> {
    const result = await api(token, 'GET', `${EVENTS}?${query}`);
    const items = (result.body['items'] as Item[] | undefined) ?? [];
    return { ...result, items, ids: items.map((item) => item.id) };
  }

  const range = (from: string, to: string): string => `timeMin=${encodeURIComponent(from)}&timeMax=${encodeURIComponent(to)}`;

  // Mondays and Wednesdays at 10:00 in Paris, six times, across the switch to summer time
  // (2030-03-31), without Wednesday 27 March.
  const weekly = (overrides: Record<string, unknown> = {}): Record<string, unknown> =>
    eventBody({
      id: 'choir01234567',
      summary: 'Choir',
      start: { dateTime: '2030-03-25T10:00:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2030-03-25T11:30:00', timeZone: 'Europe/Paris' },
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6', 'EXDATE;TZID=Europe/Paris:20300327T100000'],
      ...overrides,
    });

  it('expands a weekly series into Google-shaped instances with singleEvents=true', async () => {
    const created = await api(token, 'POST', EVENTS, weekly());
    expect(created.status).toBe(200);
    expect(created.body['recurrence']).toEqual(weekly()['recurrence']);

    const expanded = await list(`singleEvents=true&orderBy=startTime&${range('2030-01-01T00:00:00Z', '2031-01-01T00:00:00Z')}`);
    expect(expanded.status).toBe(200);
    // COUNT counts the excluded Wednesday; the series keeps 10:00 local time across DST.
    expect(expanded.ids).toEqual([
      'choir01234567_20300325T090000Z',
      'choir01234567_20300401T080000Z',
      'choir01234567_20300403T080000Z',
      'choir01234567_20300408T080000Z',
      'choir01234567_20300410T080000Z',
    ]);
    const [first, second] = expanded.items;
    expect(first).toMatchObject({
      status: 'confirmed',
      summary: 'Choir',
      recurringEventId: 'choir01234567',
      iCalUID: 'choir01234567@google.com',
      start: { dateTime: '2030-03-25T10:00:00+01:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2030-03-25T11:30:00+01:00', timeZone: 'Europe/Paris' },
      originalStartTime: { dateTime: '2030-03-25T10:00:00+01:00', timeZone: 'Europe/Paris' },
    });
    expect(second).toMatchObject({
      start: { dateTime: '2030-04-01T10:00:00+02:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2030-04-01T11:30:00+02:00', timeZone: 'Europe/Paris' },
      originalStartTime: { dateTime: '2030-04-01T10:00:00+02:00', timeZone: 'Europe/Paris' },
    });
    expect(first).not.toHaveProperty('recurrence');

    // singleEvents=false: the master, as stored.
    const masters = await list(range('2030-01-01T00:00:00Z', '2031-01-01T00:00:00Z'));
    expect(masters.ids).toEqual(['choir01234567']);
    expect(masters.items[0]?.recurrence).toEqual(weekly()['recurrence']);
    expect(masters.items[0]).not.toHaveProperty('recurringEventId');

    // An instance can be read by its id; a time the series does not have is 404.
    const instance = await api(token, 'GET', `${EVENTS}/choir01234567_20300403T080000Z`);
    expect(instance.status).toBe(200);
    expect(instance.body).toMatchObject({ id: 'choir01234567_20300403T080000Z', recurringEventId: 'choir01234567' });
    expect((await api(token, 'GET', `${EVENTS}/choir01234567_20300404T080000Z`)).status).toBe(404);
    const excluded = await api(token, 'GET', `${EVENTS}/choir01234567_20300327T090000Z`);
    expect(excluded.body['status']).toBe('cancelled');
  });

  it('clips instances to timeMin/timeMax and filters masters by any overlapping occurrence', async () => {
    // Every other day at 09:00 UTC until 11 March 09:00 (inclusive): 1, 3, 5, 7, 9, 11 March.
    await api(
      token,
      'POST',
      EVENTS,
      eventBody({
        id: 'alternate0123',
        start: { dateTime: '2030-03-01T09:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2030-03-01T10:00:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20300311T090000Z'],
      }),
    );
    await api(
      token,
      'POST',
      EVENTS,
      eventBody({ id: 'single0123456', start: { dateTime: '2030-03-06T12:00:00Z' }, end: { dateTime: '2030-03-06T13:00:00Z' } }),
    );
    // Overlap: the 5 March instance ends at 10:00, after timeMin; the 9 March one starts at timeMax.
    const window = await list(`singleEvents=true&orderBy=startTime&${range('2030-03-05T09:30:00Z', '2030-03-09T09:00:00Z')}`);
    expect(window.ids).toEqual(['alternate0123_20300305T090000Z', 'single0123456', 'alternate0123_20300307T090000Z']);
    expect(window.items[1]).not.toHaveProperty('recurringEventId');
    const all = await list(`singleEvents=true&${range('2030-01-01T00:00:00Z', '2030-12-31T00:00:00Z')}`);
    expect(all.ids.filter((id) => id.startsWith('alternate'))).toHaveLength(6);

    // The master starts before timeMin but has occurrences inside: it is listed.
    expect((await list(range('2030-03-08T00:00:00Z', '2030-03-10T00:00:00Z'))).ids).toEqual(['alternate0123']);
    // After UNTIL (or between two occurrences) it is not.
    expect((await list(range('2030-03-12T00:00:00Z', '2030-04-01T00:00:00Z'))).ids).toEqual([]);
    expect((await list(range('2030-03-07T10:00:00Z', '2030-03-09T09:00:00Z'))).ids).toEqual([]);
  });

  it('expands all-day and monthly series, named by date', async () => {
    // The last Friday of each month, all day, three times.
    await api(
      token,
      'POST',
      EVENTS,
      eventBody({
        id: 'lastfri012345',
        start: { date: '2030-01-25' },
        end: { date: '2030-01-26' },
        recurrence: ['RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3'],
      }),
    );
    // The 31st of each month, twice: months without one are skipped (RFC 5545); plus 15 February (RDATE).
    await api(
      token,
      'POST',
      EVENTS,
      eventBody({
        id: 'thirtieth0123',
        start: { dateTime: '2030-01-31T08:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2030-01-31T08:30:00Z', timeZone: 'UTC' },
        recurrence: ['rrule:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=2', 'RDATE;VALUE=DATE:20300215'],
      }),
    );
    const expanded = await list(`singleEvents=true&orderBy=startTime&${range('2030-01-01T00:00:00Z', '2031-01-01T00:00:00Z')}`);
    expect(expanded.ids).toEqual([
      'lastfri012345_20300125',
      'thirtieth0123_20300131T080000Z',
      'thirtieth0123_20300215T080000Z',
      'lastfri012345_20300222',
      'lastfri012345_20300329',
      'thirtieth0123_20300331T080000Z',
    ]);
    expect(expanded.items[0]).toMatchObject({
      start: { date: '2030-01-25' },
      end: { date: '2030-01-26' },
      originalStartTime: { date: '2030-01-25' },
      recurringEventId: 'lastfri012345',
    });
    expect((await api(token, 'GET', `${EVENTS}/lastfri012345_20300222`)).status).toBe(200);
  });

  it('bounds open-ended series: two years past the later of now and the series start', async () => {
    await api(
      token,
      'POST',
      EVENTS,
      eventBody({
        id: 'forever012345',
        start: { dateTime: '2030-03-01T09:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2030-03-01T10:00:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=DAILY'],
      }),
    );
    const open = await list('singleEvents=true&maxResults=2500');
    // 2030-03-01 up to (not including) 2032-03-01: 365 + 366 days.
    expect(open.ids).toHaveLength(731);
    expect(open.ids[730]).toBe('forever012345_20320229T090000Z');
    expect(open.body).not.toHaveProperty('nextPageToken');
    // timeMin moves the horizon along.
    const later = await list(`singleEvents=true&maxResults=2500&timeMin=${encodeURIComponent('2040-01-01T00:00:00Z')}`);
    expect(later.ids[0]).toBe('forever012345_20400101T090000Z');
    expect(later.ids.length).toBeGreaterThanOrEqual(731);
    expect(later.ids.length).toBeLessThanOrEqual(732);
  });

  it('refuses recurrences Google refuses', async () => {
    const refused = async (body: Record<string, unknown>): Promise<[number, string | undefined]> => {
      const result = await api(token, 'POST', EVENTS, body);
      return [result.status, reasonOf(result)];
    };
    // A timed series is expanded in start.timeZone, which is therefore required.
    const noZone = await api(
      token,
      'POST',
      EVENTS,
      eventBody({
        start: { dateTime: '2030-03-01T09:00:00Z' },
        end: { dateTime: '2030-03-01T10:00:00Z' },
        recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
      }),
    );
    expect(noZone.status).toBe(400);
    expect(noZone.body.error?.errors?.[0]).toMatchObject({ reason: 'required', message: 'Missing time zone definition for start time.' });
    for (const recurrence of [
      ['RRULE:FREQ=SOMETIMES'],
      ['RRULE:INTERVAL=2'],
      ['RRULE:FREQ=DAILY;COUNT=2;UNTIL=20300401T000000Z'],
      ['RRULE:FREQ=WEEKLY;BYDAY=XX'],
      ['RRULE:FREQ=DAILY;INTERVAL=0'],
      ['RRULE:FREQ=MONTHLY;BYYEARDAY=10'],
      ['EXRULE:FREQ=DAILY'],
      ['EXDATE:2030-03-02'],
      ['not a rule'],
    ]) {
      expect(await refused(weekly({ id: undefined, recurrence })), recurrence.join()).toEqual([400, 'invalid']);
    }
    expect(await refused(weekly({ id: undefined, recurrence: 'RRULE:FREQ=DAILY' }))).toEqual([400, 'invalid']);
  });

  it('patches a series: new rules, a bumped sequence, and back to a single event with recurrence: null', async () => {
    await api(token, 'POST', EVENTS, weekly());
    const narrowed = await api(token, 'PATCH', `${EVENTS}/choir01234567`, { recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2'] });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body['sequence']).toBe(1);
    const window = `singleEvents=true&${range('2030-01-01T00:00:00Z', '2031-01-01T00:00:00Z')}`;
    expect((await list(window)).ids).toEqual(['choir01234567_20300325T090000Z', 'choir01234567_20300401T080000Z']);
    const single = await api(token, 'PATCH', `${EVENTS}/choir01234567`, { recurrence: null });
    expect(single.body).not.toHaveProperty('recurrence');
    expect((await list(window)).ids).toEqual(['choir01234567']);
  });

  it('syncs incrementally: masters without singleEvents, their instances with it', async () => {
    await api(token, 'POST', EVENTS, weekly());
    await api(token, 'POST', EVENTS, eventBody({ id: 'other01234567' }));
    const masters = await list('');
    const instances = await list('singleEvents=true');
    expect(masters.ids).toEqual(['choir01234567', 'other01234567']);
    expect(instances.ids).toHaveLength(6);
    const masterToken = String(masters.body['nextSyncToken']);
    const instanceToken = String(instances.body['nextSyncToken']);

    // "The user" drops Wednesday 3 April from the series.
    await sandbox.control.updateUserEvent(USER, 'choir01234567', {
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6', 'EXDATE;TZID=Europe/Paris:20300327T100000,20300403T100000'],
    });
    const masterDelta = await list(`syncToken=${encodeURIComponent(masterToken)}`);
    expect(masterDelta.ids).toEqual(['choir01234567']);
    expect(masterDelta.items[0]?.recurrence).toHaveLength(2);

    // Instances of the changed series, excluded occurrences reported as cancelled.
    const instanceDelta = await list(`singleEvents=true&syncToken=${encodeURIComponent(instanceToken)}`);
    expect(instanceDelta.items.map((item) => [item.id, item.status])).toEqual([
      ['choir01234567_20300325T090000Z', 'confirmed'],
      ['choir01234567_20300327T090000Z', 'cancelled'],
      ['choir01234567_20300401T080000Z', 'confirmed'],
      ['choir01234567_20300403T080000Z', 'cancelled'],
      ['choir01234567_20300408T080000Z', 'confirmed'],
      ['choir01234567_20300410T080000Z', 'confirmed'],
    ]);

    // Deleting the series cancels every instance.
    await api(token, 'DELETE', `${EVENTS}/choir01234567`);
    const deleted = await list(`singleEvents=true&syncToken=${encodeURIComponent(String(instanceDelta.body['nextSyncToken']))}`);
    expect(deleted.items).toHaveLength(6);
    expect(new Set(deleted.items.map((item) => item.status))).toEqual(new Set(['cancelled']));
    expect(deleted.items.every((item) => item.recurringEventId === 'choir01234567')).toBe(true);
    expect((await list('singleEvents=true')).ids).toEqual(['other01234567']);
  });

  it('accepts series through the control API and serves them to the googleapis client', async () => {
    const created = await sandbox.control.createUserEvent(USER, {
      summary: 'Standup',
      start: { dateTime: '2030-06-03T09:00:00+02:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2030-06-03T09:15:00+02:00', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20300630T000000Z'],
    });
    const auth = new google.auth.OAuth2({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    auth.setCredentials({ access_token: token });
    const cal = google.calendar({ version: 'v3', rootUrl: `${sandbox.url}/`, retry: false, auth });
    const result = await cal.events.list({
      calendarId: 'primary',
      singleEvents: true,
      orderBy: 'startTime',
      timeMin: '2030-06-01T00:00:00Z',
      timeMax: '2030-07-01T00:00:00Z',
    });
    // Every other week (from the week of 3 June): 3, 6, 17, 20 June.
    expect(result.data.items?.map((item) => item.start?.dateTime)).toEqual([
      '2030-06-03T09:00:00+02:00',
      '2030-06-06T09:00:00+02:00',
      '2030-06-17T09:00:00+02:00',
      '2030-06-20T09:00:00+02:00',
    ]);
    expect(result.data.items?.every((item) => item.recurringEventId === created.id)).toBe(true);
  });
});
