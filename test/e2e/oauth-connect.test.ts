import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingWorkflowId } from '../../src/workflows/messages';
import { confirmBody, eventsFor, getBooking, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { consent, redirectOf } from 'calendar-emulators/consent-client';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const RETURN = 'https://app.example.com/calendar/done';

async function link(userId: string, body: Record<string, unknown> = { provider: 'google', returnUrl: RETURN }) {
  return h.api<{ url: string; expiresAt: string; error?: { code: string } }>('POST', `/v1/users/${userId}/connect-links`, body);
}

async function connections(userId: string) {
  return (
    await h.api<{
      connections: Array<{
        id: string;
        status: string;
        accountEmail: string;
        lastError: string | null;
        bulkSync?: { state: string; total: number; done: number };
      }>;
    }>('GET', `/v1/users/${userId}/connections`)
  ).body.connections;
}

function resultOf(location: string | null): URLSearchParams {
  return new URL(location ?? 'https://invalid/').searchParams;
}

describe('OAuth connect flow', () => {
  it('connects through a single-use link, consent with PKCE and offline access, and lists the connection without secrets', async () => {
    const userId = h.id('u');
    const created = await link(userId);
    expect(created.status).toBe(201);
    expect(Date.parse(created.body.expiresAt)).toBeGreaterThan(Date.now());

    const opened = await redirectOf(created.body.url);
    expect(opened.status).toBe(302);
    const authorize = new URL(opened.location!);
    expect(authorize.pathname).toBe('/o/oauth2/v2/auth');
    expect(authorize.searchParams.get('access_type')).toBe('offline');
    expect(authorize.searchParams.get('prompt')).toBe('consent');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${h.config.publicBaseUrl}/v1/oauth/google/callback`);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    // A grant holds what this service asks for, nothing an earlier grant to the same client added.
    expect(authorize.searchParams.has('include_granted_scopes')).toBe(false);

    const callback = await consent(opened.location!, `${userId}@sandbox.test`);
    const back = await redirectOf(callback, opened.cookie);
    expect(back.status).toBe(302);
    expect(back.location!.startsWith(RETURN)).toBe(true);
    const params = resultOf(back.location);
    expect(params.get('status')).toBe('connected');
    const list = await connections(userId);
    expect(list).toEqual([
      expect.objectContaining({ id: params.get('connection'), status: 'active', accountEmail: `${userId}@sandbox.test` }),
    ]);
    expect(JSON.stringify(list)).not.toMatch(/token|v[12]:/i);

    // The link is single-use, and so is the callback.
    const again = await redirectOf(created.body.url);
    expect(resultOf(again.location).get('error')).toBe('state_already_used');
    const replay = await redirectOf(callback, opened.cookie);
    expect(resultOf(replay.location).get('error')).toBe('state_already_used');
    expect(await connections(userId)).toHaveLength(1);
  });

  it('denied consent creates nothing and says so', async () => {
    const userId = h.id('u');
    const opened = await redirectOf((await link(userId)).body.url);
    const back = await redirectOf(await consent(opened.location!, `${userId}@sandbox.test`, 'deny'), opened.cookie);
    const params = resultOf(back.location);
    expect(params.get('status')).toBe('error');
    expect(params.get('error')).toBe('access_denied');
    expect(await connections(userId)).toHaveLength(0);
  });

  it('the callback completes a flow only in the browser that opened it: no cookie or another cookie is refused', async () => {
    const userId = h.id('u');
    const opened = await redirectOf((await link(userId)).body.url);
    expect(opened.cookie).toMatch(/^__Host-connect-browser=[A-Za-z0-9_-]{43}$/);
    const callback = await consent(opened.location!, `${userId}@sandbox.test`);
    // The victim of a login CSRF: consent given in a browser that never opened this flow.
    for (const cookie of [undefined, `__Host-connect-browser=${'A'.repeat(43)}`]) {
      const refused = await redirectOf(callback, cookie);
      expect(refused.status).toBe(400);
      expect(refused.location).toBeNull();
      expect(refused.body).toContain('This connection was started in another browser');
      expect(refused.body).toContain('browser_mismatch');
    }
    expect(await connections(userId)).toHaveLength(0);
    // The flow keeps the nonce's hash, not the nonce.
    const nonce = new URLSearchParams(opened.cookie).get('__Host-connect-browser');
    const { rows } = await h.pool.query('SELECT completed_at, browser_hash FROM oauth_flows WHERE user_id = $1', [userId]);
    expect(rows).toEqual([{ completed_at: null, browser_hash: createHash('sha256').update(nonce!).digest('hex') }]);
    // Refusals left the flow to its own browser.
    const back = await redirectOf(callback, opened.cookie);
    expect(resultOf(back.location).get('status')).toBe('connected');
    expect(await connections(userId)).toHaveLength(1);
  });

  it('a link started in one browser (the settings page) cannot be opened in another', async () => {
    const userId = h.id('u');
    const settings = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    const exchanged = await fetch(settings.body.url, { redirect: 'manual', headers: { 'sec-fetch-site': 'none' } });
    const session = exchanged.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const started = await fetch(`${h.config.publicBaseUrl}/settings/connect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', cookie: session },
      body: 'provider=google',
      redirect: 'manual',
    });
    expect(started.status).toBe(303);
    const starter = started.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith('__Host-connect-browser='));
    expect(starter).toMatch(/^__Host-connect-browser=[A-Za-z0-9_-]{43}$/);
    // The attacker sends the link on; the victim's browser opens it: refused, and it stays unopened.
    const elsewhere = await redirectOf(started.headers.get('location')!);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toContain('browser_mismatch');
    const mine = await redirectOf(started.headers.get('location')!, starter);
    expect(mine.status).toBe(302);
    expect(new URL(mine.location!).pathname).toBe('/o/oauth2/v2/auth');
  });

  it('a forged state is refused with a clear page, and nothing is created', async () => {
    const userId = h.id('u');
    const opened = await redirectOf((await link(userId)).body.url);
    const callback = new URL(await consent(opened.location!, `${userId}@sandbox.test`));
    const state = callback.searchParams.get('state')!;
    const [body, kid] = state.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), u: 'someone-else' }),
    ).toString('base64url');
    for (const forged of [`${forgedPayload}.${kid}.${state.split('.')[2]}`, 'not-a-state', '']) {
      callback.searchParams.set('state', forged);
      const res = await redirectOf(callback.toString(), opened.cookie);
      expect(res.status).toBe(400);
      expect(res.body).toContain('invalid_state');
    }
    expect(await connections(userId)).toHaveLength(0);
    expect(await connections('someone-else')).toHaveLength(0);
  });

  it('an expired link, a missing code and a token endpoint failure each end in an error and no connection', async () => {
    const userId = h.id('u');
    const expired = await link(userId);
    await h.pool.query(`UPDATE oauth_flows SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expired.body.url.split('/').pop(),
    ]);
    expect(resultOf((await redirectOf(expired.body.url)).location).get('error')).toBe('expired_state');

    const opened = await redirectOf((await link(userId)).body.url);
    const callback = new URL(await consent(opened.location!, `${userId}@sandbox.test`));
    callback.searchParams.delete('code');
    expect(resultOf((await redirectOf(callback.toString(), opened.cookie)).location).get('error')).toBe('missing_code');

    const opened2 = await redirectOf((await link(userId)).body.url);
    const callback2 = await consent(opened2.location!, `${userId}@sandbox.test`);
    await h.google.addFault({ path: '/token', status: 500, times: 1 });
    expect(resultOf((await redirectOf(callback2, opened2.cookie)).location).get('error')).toBe('token_exchange_failed');
    expect(await connections(userId)).toHaveLength(0);
  });

  it('connect links need the API key and a valid body', async () => {
    expect((await h.api('POST', '/v1/users/u1/connect-links', { provider: 'google' }, { key: null })).status).toBe(401);
    const bad = await link('u1', { provider: 'yahoo' });
    expect(bad.status).toBe(400);
    expect((await link('u1', { provider: 'google', returnUrl: 'javascript:alert(1)' })).status).toBe(400);
    expect((await link('u1', { provider: 'google', extra: 1 })).status).toBe(400);
  });
});

describe('Microsoft', () => {
  it('connects with offline_access and PKCE, reads the account from /me, and stores every rotated refresh token', async () => {
    await h.microsoft.configure({ strictRotation: true });
    try {
      const userId = h.id('ms');
      const created = await link(userId, { provider: 'microsoft', returnUrl: RETURN });
      expect(created.status).toBe(201);
      const opened = await redirectOf(created.body.url);
      const authorize = new URL(opened.location!);
      expect(authorize.pathname).toBe('/common/oauth2/v2.0/authorize');
      expect(authorize.searchParams.get('scope')?.split(' ')).toEqual(
        expect.arrayContaining(['offline_access', 'User.Read', 'Calendars.ReadWrite']),
      );
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      const email = `${userId}@contoso.test`;
      const back = await redirectOf(await consent(opened.location!, email), opened.cookie);
      expect(resultOf(back.location).get('status')).toBe('connected');
      expect((await connections(userId))[0]).toMatchObject({ status: 'active', accountEmail: email });

      // Tokens near expiry make the next calendar write refresh first; with strict rotation the
      // second refresh only works if the first one's new refresh token was stored.
      const connectionId = resultOf(back.location).get('connection');
      const ageToken = () =>
        h.pool.query(
          `UPDATE calendar_connections SET token_issued_at = now() - interval '58 minutes', token_expires_at = now() + interval '2 minutes' WHERE id = $1`,
          [connectionId],
        );
      const me: TestParticipant = { userId, role: 'tutor', name: 'Mia', email: 'mia@example.com' };
      const bookingId = h.id('bk');
      await ageToken();
      await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([me]));
      await eventually(
        async () => ((await h.microsoft.stats()).byAccount[email]?.tokenRefreshes === 1 ? true : undefined),
        'first refresh',
      );
      await eventually(
        async () =>
          (await h.pool.query<{ token_version: number }>('SELECT token_version FROM calendar_connections WHERE id = $1', [connectionId]))
            .rows[0]!.token_version === 1
            ? true
            : undefined,
        'token stored',
      );
      await ageToken();
      await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { start: '2031-05-01T10:00:00Z', end: '2031-05-01T11:00:00Z' });
      await eventually(
        async () => ((await h.microsoft.stats()).byAccount[email]?.tokenRefreshes === 2 ? true : undefined),
        'second refresh',
      );
      expect((await h.microsoft.stats()).byAccount[email]?.tokenRefreshFailures).toBe(0);
      expect((await connections(userId))[0]).toMatchObject({ status: 'active' });
    } finally {
      await h.microsoft.configure({ strictRotation: false });
    }
  });
});

describe('granted scopes and account identity', () => {
  it('a Google grant without the calendar scopes fails the connect with insufficient_scope and stores nothing', async () => {
    const userId = h.id('u');
    const opened = await redirectOf((await link(userId)).body.url);
    const requested = new URL(opened.location!).searchParams.get('scope')!.split(' ');
    expect(requested).toEqual(expect.arrayContaining(['https://www.googleapis.com/auth/calendar.events']));
    // The user unticks the events scope on Google's granular consent screen.
    const back = await redirectOf(
      await consent(opened.location!, `${userId}@sandbox.test`, 'allow', {
        grantScopes: requested.filter((s) => s !== 'https://www.googleapis.com/auth/calendar.events'),
      }),
      opened.cookie,
    );
    const params = resultOf(back.location);
    expect([params.get('status'), params.get('error')]).toEqual(['error', 'insufficient_scope']);
    expect(await connections(userId)).toHaveLength(0);
  });

  it('matches a Microsoft reconnect on tenant + object id, not on the mail a tenant can set', async () => {
    const userId = h.id('ms');
    const victim = `${userId}-ada@contoso.test`;
    const connectAs = async (signIn: string) => {
      const opened = await redirectOf((await link(userId, { provider: 'microsoft', returnUrl: RETURN })).body.url);
      const back = await redirectOf(await consent(opened.location!, signIn), opened.cookie);
      const params = resultOf(back.location);
      expect(params.get('status')).toBe('connected');
      return params.get('connection')!;
    };
    const first = await connectAs(victim);
    const tokenOf = async (id: string) =>
      (await h.pool.query<{ access_token_enc: string }>('SELECT access_token_enc FROM calendar_connections WHERE id = $1', [id])).rows[0]!
        .access_token_enc;
    const before = await tokenOf(first);

    // Another tenant's account whose administrator set its mail to the victim's address.
    const mallory = `${userId}-mallory@fabrikam.test`;
    await h.microsoft.createAccount(mallory, undefined, { mail: victim, tenantId: '7a1d2c3b-4e5f-4061-9728-3a4b5c6d7e8f' });
    const second = await connectAs(mallory);
    expect(second).not.toBe(first);
    expect(await tokenOf(first)).toBe(before);
    const list = await connections(userId);
    expect(list.map((c) => [c.id, c.accountEmail]).sort()).toEqual(
      [
        [first, victim],
        [second, victim],
      ].sort(),
    );

    // The same account again, its mail changed meanwhile: the same connection, the new address shown.
    await h.microsoft.createAccount(victim, undefined, { mail: `${userId}-ada.new@contoso.test` });
    expect(await connectAs(victim)).toBe(first);
    expect((await connections(userId)).find((c) => c.id === first)?.accountEmail).toBe(`${userId}-ada.new@contoso.test`);
    expect(await connections(userId)).toHaveLength(2);
  });
});

describe('re-authentication', () => {
  it('a revoked grant parks the calendar without a hot loop, and reconnecting re-drives the booking', async () => {
    const tutorId = h.id('tutor');
    const email = `${tutorId}@sandbox.test`;
    const { connectionId } = await h.connectGoogle(tutorId, email);
    const tutor: TestParticipant = { userId: tutorId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
    const client: TestParticipant = { userId: h.id('client'), role: 'client', name: 'Bob', email: 'bob@example.com' };
    const bookingId = h.id('bk');
    await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([tutor, client], { version: 1 }));
    await settled(h, bookingId, (v) => v.calendars.some((c) => c.state === 'synced'));

    await h.google.revoke(email);
    await h.google.expireAccessTokens(email);
    await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { version: 2, start: '2030-11-01T10:00:00Z', end: '2030-11-01T11:00:00Z' });
    const parked = await eventually(async () => {
      const v = await getBooking(h, bookingId);
      return v.syncState === 'degraded' ? v : undefined;
    }, 'the calendar to be parked');
    expect(parked.calendars.find((c) => c.connectionId === connectionId)).toMatchObject({
      state: 'pending',
      lastError: expect.stringMatching(/reconnect/),
    });
    const [conn] = await connections(tutorId);
    expect(conn).toMatchObject({ status: 'needs_reauth', lastError: expect.stringMatching(/invalid_grant/) });
    // Parked, not retrying: nothing is in flight for this booking, and one refresh was refused once.
    await eventually(async () => {
      const described = await h.service.client.workflow.getHandle(bookingWorkflowId(bookingId)).describe();
      return (described.raw.pendingActivities ?? []).length === 0 ? true : undefined;
    }, 'nothing in flight for the parked booking');
    expect((await h.google.stats()).byAccount[email]?.tokenRefreshFailures).toBe(1);

    // The user reconnects the same account: same connection, active again, the booking converges.
    const again = await h.connectGoogle(tutorId, email);
    expect(again.connectionId).toBe(connectionId);
    expect((await connections(tutorId))[0]).toMatchObject({ status: 'active', lastError: null });
    await settled(h, bookingId, (v) => v.calendars.find((c) => c.connectionId === connectionId)?.state === 'synced');
    const events = await eventsFor(h, email, bookingId, true);
    expect(events).toHaveLength(1);
    expect(Date.parse(events[0]!.start.dateTime!)).toBe(Date.parse('2030-11-01T10:00:00Z'));
  });
});

describe('bulk sync on connect', () => {
  it("brings the user's confirmed future bookings into a new calendar, not the cancelled or past ones", async () => {
    const userId = h.id('student');
    const me: TestParticipant = { userId, role: 'client', name: 'Cleo', email: 'cleo@example.com' };
    const other: TestParticipant = { userId: h.id('tutor'), role: 'tutor', name: 'Tom', email: 'tom@example.com' };
    const ids = Array.from({ length: 12 }, () => h.id('bk'));
    for (const [i, id] of ids.entries()) {
      await h.api(
        'POST',
        `/v1/bookings/${id}/confirm`,
        confirmBody([other, me], {
          start: `2030-12-${String(i + 1).padStart(2, '0')}T10:00:00Z`,
          end: `2030-12-${String(i + 1).padStart(2, '0')}T11:00:00Z`,
        }),
      );
    }
    const cancelled = ids.slice(0, 2);
    for (const id of cancelled) await h.api('POST', `/v1/bookings/${id}/cancel`, {});
    const past = h.id('bk');
    await h.api(
      'POST',
      `/v1/bookings/${past}/confirm`,
      confirmBody([other, me], { start: '2020-01-01T10:00:00Z', end: '2020-01-01T11:00:00Z' }),
    );
    // Wait until every booking is recorded (its workflow saw no calendar for this user yet).
    await eventually(async () => {
      const { rows } = await h.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE booking_id = ANY($1)`, [
        [...ids, past],
      ]);
      return rows[0]!.n === 13 ? true : undefined;
    }, 'bookings recorded');
    await eventually(async () => {
      const { rows } = await h.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM bookings WHERE booking_id = ANY($1) AND status = 'cancelled'`,
        [cancelled],
      );
      return rows[0]!.n === 2 ? true : undefined;
    }, 'cancellations recorded');

    const { email, connectionId } = await h.connectGoogle(userId);
    const done = await eventually(
      async () => {
        const [c] = await connections(userId);
        return c?.bulkSync?.state === 'completed' ? c : undefined;
      },
      'bulk sync to complete',
      60_000,
    );
    expect(done.bulkSync).toMatchObject({ total: 10, done: 10 });
    for (const id of ids.slice(2))
      await settled(h, id, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    const all = (await h.google.listEvents(email, { showDeleted: true })).map(
      (e) => e.extendedProperties?.private?.bookingCalendarSyncBookingId,
    );
    expect(all.sort()).toEqual(ids.slice(2).sort());
  });
});
