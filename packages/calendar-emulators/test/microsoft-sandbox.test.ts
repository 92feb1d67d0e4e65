import { createHash, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  Client,
  GraphError,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { MicrosoftSandboxControlError } from '../src/microsoft';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, useMicrosoftSandbox } from './microsoft-test-client';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface TokenBody {
  token_type?: string;
  scope?: string;
  expires_in?: number;
  ext_expires_in?: number;
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  error?: string;
  error_description?: string;
  error_codes?: number[];
  timestamp?: string;
  trace_id?: string;
  correlation_id?: string;
}

interface GraphErrorShape {
  error?: { code?: string; message?: string; innerError?: Record<string, string> };
}

interface GraphResult {
  status: number;
  headers: Headers;
  // Response bodies are JSON of many shapes; tests read them field by field.
  body: Record<string, unknown> & GraphErrorShape;
}

/** Set by a test to stop the sandbox's clock there (and move it by hand); real time otherwise. */
let frozenClock: number | undefined;
const sandbox = useMicrosoftSandbox({ now: () => frozenClock ?? Date.now() });
beforeEach(() => {
  frozenClock = undefined;
});

function tokenUrl(tenant = 'common'): string {
  return `${sandbox.url}/${tenant}/oauth2/v2.0/token`;
}

async function postToken(
  params: Record<string, string>,
  options: { headers?: Record<string, string>; tenant?: string } = {},
): Promise<{ status: number; headers: Headers; body: TokenBody }> {
  const response = await fetch(tokenUrl(options.tenant), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body: new URLSearchParams(params),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as TokenBody };
}

function exchange(code: string, extra: Record<string, string> = {}): ReturnType<typeof postToken> {
  return postToken({
    grant_type: 'authorization_code',
    code,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uri: REDIRECT_URI,
    ...extra,
  });
}

function refresh(refreshToken: string, extra: Record<string, string> = {}): ReturnType<typeof postToken> {
  return postToken({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    ...extra,
  });
}

interface Connected {
  accessToken: string;
  refreshToken: string;
}

/** Authorizes through the control API and exchanges the code, like the service's callback. */
async function connect(email: string, scope?: string): Promise<Connected> {
  const { code } = await sandbox.control.authorize({ email, clientId: CLIENT_ID, redirectUri: REDIRECT_URI, ...(scope ? { scope } : {}) });
  const { status, body } = await exchange(code);
  expect(status).toBe(200);
  expect(body.access_token).toBeTypeOf('string');
  expect(body.refresh_token).toBeTypeOf('string');
  return { accessToken: body.access_token as string, refreshToken: body.refresh_token as string };
}

async function graph(token: string | undefined, path: string, headers: Record<string, string> = {}): Promise<GraphResult> {
  const response = await fetch(`${sandbox.url}/v1.0${path}`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as GraphResult['body']) : {} };
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(params: Record<string, string>, tenant = 'common'): string {
  return `${sandbox.url}/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams(params).toString()}`;
}

function location(response: Response): URL {
  return new URL(response.headers.get('location') ?? 'http://missing.invalid/');
}

/** Checks Graph's 401 body exactly, with real ids and a date. */
function expectInvalidToken(result: GraphResult): void {
  expect(result.status).toBe(401);
  expect(result.body).toEqual({
    error: {
      code: 'InvalidAuthenticationToken',
      message: 'Access token has expired or is not yet valid.',
      innerError: {
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        'request-id': expect.stringMatching(GUID),
        'client-request-id': expect.any(String),
      },
    },
  });
  expect(result.headers.get('www-authenticate')).toMatch(/^Bearer /);
}

describe('authorize endpoint and consent page', () => {
  it('renders an escaped, Microsoft-flavoured consent page prefilled from login_hint', async () => {
    const response = await fetch(
      authorizeUrl({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        response_mode: 'query',
        scope: 'openid offline_access User.Read Calendars.ReadWrite',
        state: '"><script>alert(1)</script>',
        prompt: 'select_account',
        login_hint: 'tutor@school.test',
      }),
    );
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('Permissions requested');
    expect(html).toContain('Microsoft sandbox');
    expect(html).toContain('Have full access to your calendars');
    expect(html).toContain('Sign you in and read your profile');
    expect(html).toContain('value="tutor@school.test"');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('action="/common/oauth2/v2.0/authorize/consent"');
    expect(html).toMatch(/value="cancel"[^>]*>Cancel</);
    expect(html).toMatch(/value="accept"[^>]*>Accept</);
  });

  it('accepts the tenant aliases, a tenant GUID and a domain, and refuses anything else', async () => {
    const params = { client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'User.Read' };
    for (const tenant of ['common', 'organizations', 'consumers', '72f988bf-86f1-41af-91ab-2d7cd011db47', 'contoso.onmicrosoft.com']) {
      const response = await fetch(authorizeUrl(params, tenant));
      expect(response.status, tenant).toBe(200);
      expect(await response.text()).toContain(`action="/${tenant}/oauth2/v2.0/authorize/consent"`);
    }
    const unknown = await fetch(authorizeUrl(params, 'not-a-tenant'), { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('location')).toBeNull();
    expect(await unknown.text()).toContain('AADSTS90002');
  });

  it('refuses an unknown client or a missing redirect_uri with a page, not a redirect', async () => {
    const unknown = await fetch(
      authorizeUrl({ client_id: 'nope', redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'User.Read' }),
      { redirect: 'manual' },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('location')).toBeNull();
    expect(unknown.headers.get('content-type')).toContain('text/html');
    expect(await unknown.text()).toContain('AADSTS700016');

    const noRedirect = await fetch(authorizeUrl({ client_id: CLIENT_ID, response_type: 'code', scope: 'User.Read' }), {
      redirect: 'manual',
    });
    expect(noRedirect.status).toBe(400);
    expect(noRedirect.headers.get('location')).toBeNull();
    expect(await noRedirect.text()).toContain('redirect_uri');
  });

  it('sends later request errors back to the app, and prompt=none gets login_required', async () => {
    const badMode = await fetch(
      authorizeUrl({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'User.Read',
        response_mode: 'form_post',
        state: 's1',
      }),
      { redirect: 'manual' },
    );
    expect(badMode.status).toBe(302);
    expect(location(badMode).searchParams.get('error')).toBe('invalid_request');
    expect(location(badMode).searchParams.get('state')).toBe('s1');

    const silent = await fetch(
      authorizeUrl({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'User.Read',
        prompt: 'none',
        state: 's2',
      }),
      { redirect: 'manual' },
    );
    expect(silent.status).toBe(302);
    const target = location(silent);
    expect(`${target.origin}${target.pathname}`).toBe(REDIRECT_URI);
    expect(target.searchParams.get('error')).toBe('login_required');
    expect(target.searchParams.get('error_description')).toMatch(/^AADSTS50058: /);
    expect(target.searchParams.get('code')).toBeNull();
  });

  it('redirects with a code on Accept and AADSTS65004 access_denied on Cancel, keeping state', async () => {
    const { verifier, challenge } = pkcePair();
    const form = (decision: string): URLSearchParams =>
      new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid offline_access User.Read',
        state: 'st-123',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        email: 'consent@sandbox.test',
        decision,
      });
    const consent = `${sandbox.url}/organizations/oauth2/v2.0/authorize/consent`;
    const accept = await fetch(consent, { method: 'POST', body: form('accept'), redirect: 'manual' });
    expect(accept.status).toBe(302);
    const accepted = location(accept);
    expect(`${accepted.origin}${accepted.pathname}`).toBe(REDIRECT_URI);
    expect([...accepted.searchParams.keys()]).toEqual(['code', 'state']);
    expect(accepted.searchParams.get('state')).toBe('st-123');
    const code = accepted.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    const tokens = await exchange(code, { code_verifier: verifier });
    expect(tokens.status).toBe(200);
    expect(tokens.body.refresh_token).toBeTypeOf('string');

    const cancel = await fetch(consent, { method: 'POST', body: form('cancel'), redirect: 'manual' });
    expect(cancel.status).toBe(302);
    expect(cancel.headers.get('location')).toBe(
      `${REDIRECT_URI}?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent+to+access+the+app.&state=st-123`,
    );
  });

  it('re-shows the page when Accept comes without a valid e-mail', async () => {
    const response = await fetch(`${sandbox.url}/common/oauth2/v2.0/authorize/consent`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'User.Read',
        email: 'not-an-address',
        decision: 'accept',
      }),
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('Enter a valid email address.');
  });
});

describe('token endpoint: authorization codes', () => {
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
    expect(missing.body.error).toBe('invalid_request');
    const wrong = await exchange(code, { code_verifier: pkcePair().verifier });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    expect(wrong.body.error_codes).toEqual([501481]);

    const ok = await exchange(code, { code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toContain('no-store');
    expect(Object.keys(ok.body).sort()).toEqual(
      ['access_token', 'expires_in', 'ext_expires_in', 'id_token', 'refresh_token', 'scope', 'token_type'].sort(),
    );
    expect(ok.body.token_type).toBe('Bearer');
    expect(ok.body.expires_in).toBe(3600);
    expect(ok.body.ext_expires_in).toBe(3600);
    // AAD lists the granted scopes without offline_access.
    expect(ok.body.scope).toBe('openid profile User.Read Calendars.ReadWrite');

    const reused = await exchange(code, { code_verifier: verifier });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    expect(reused.body.error_codes?.[0]).toBe(70000);
    expect(reused.body.error_description).toMatch(/^AADSTS70000: /);
  });

  it('supports plain PKCE and binds the code to its redirect_uri', async () => {
    const verifier = pkcePair().verifier;
    const { code } = await sandbox.control.authorize({
      email: 'plain@sandbox.test',
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      codeChallenge: verifier,
      codeChallengeMethod: 'plain',
    });
    const mismatch = await exchange(code, { code_verifier: verifier, redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toBe('invalid_grant');
    const ok = await exchange(code, { code_verifier: verifier });
    expect(ok.status).toBe(200);
  });

  it('issues an id token with the tenant (tid) for openid, and the object id (oid) with profile', async () => {
    const account = await sandbox.control.createAccount('idt@sandbox.test');
    const claimsOf = (token: unknown) =>
      JSON.parse(Buffer.from(String(token).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const full = await exchange(
      (await sandbox.control.authorize({ email: 'idt@sandbox.test', clientId: CLIENT_ID, redirectUri: REDIRECT_URI })).code,
    );
    expect(claimsOf(full.body.id_token)).toMatchObject({
      ver: '2.0',
      aud: CLIENT_ID,
      tid: account.tenantId,
      oid: account.id,
      preferred_username: 'idt@sandbox.test',
    });
    expect(account.tenantId).toMatch(GUID);
    // Refreshes carry one too.
    const refreshed = await refresh(String(full.body.refresh_token));
    expect(claimsOf(refreshed.body.id_token)).toMatchObject({ tid: account.tenantId, oid: account.id });

    const noProfile = await exchange(
      (
        await sandbox.control.authorize({
          email: 'idt@sandbox.test',
          clientId: CLIENT_ID,
          redirectUri: REDIRECT_URI,
          scope: 'openid offline_access User.Read',
        })
      ).code,
    );
    expect(claimsOf(noProfile.body.id_token)).not.toHaveProperty('oid');
    const noOpenId = await exchange(
      (
        await sandbox.control.authorize({
          email: 'idt@sandbox.test',
          clientId: CLIENT_ID,
          redirectUri: REDIRECT_URI,
          scope: 'offline_access User.Read',
        })
      ).code,
    );
    expect(noOpenId.body).not.toHaveProperty('id_token');
  });

  it('issues a refresh token only for offline_access', async () => {
    const { code } = await sandbox.control.authorize({
      email: 'online@sandbox.test',
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      scope: 'openid User.Read',
    });
    const ok = await exchange(code);
    expect(ok.status).toBe(200);
    expect(ok.body.access_token).toBeTypeOf('string');
    expect(ok.body).not.toHaveProperty('refresh_token');
  });

  it('answers errors in the AAD shape with trace and correlation ids', async () => {
    const unknown = await exchange('M.C5_sandbox.not-a-code');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'invalid_grant', error_codes: [70000] });
    expect(unknown.body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(unknown.body.trace_id).toMatch(GUID);
    expect(unknown.body.trace_id).toBe(unknown.headers.get('x-ms-request-id'));
    expect(unknown.body.error_description).toContain(`Trace ID: ${unknown.body.trace_id ?? 'missing'}`);

    const correlated = await postToken(
      { grant_type: 'refresh_token', refresh_token: 'nope', client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
      { headers: { 'client-request-id': 'my-correlation-1' } },
    );
    expect(correlated.body.correlation_id).toBe('my-correlation-1');
    expect(correlated.body).toMatchObject({ error: 'invalid_grant', error_codes: [70008] });
    expect(correlated.body.error_description).toMatch(/^AADSTS70008: The provided authorization code or refresh token has expired/);
  });

  it('authenticates the client from the body or HTTP Basic, refusing a wrong or missing secret', async () => {
    const { code } = await sandbox.control.authorize({ email: 'basic@sandbox.test', clientId: CLIENT_ID, redirectUri: REDIRECT_URI });
    const badSecret = await exchange(code, { client_secret: 'wrong' });
    expect(badSecret.status).toBe(401);
    expect(badSecret.body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    const noSecret = await postToken({ grant_type: 'authorization_code', code, client_id: CLIENT_ID, redirect_uri: REDIRECT_URI });
    expect(noSecret.status).toBe(401);
    expect(noSecret.body.error).toBe('invalid_client');
    const unknownClient = await exchange(code, { client_id: 'someone-else' });
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.body.error_codes).toEqual([700016]);

    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    const ok = await postToken(
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI },
      { headers: { authorization: `Basic ${basic}` } },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.access_token).toBeTypeOf('string');
  });

  it('rejects malformed requests the way AAD does', async () => {
    const noGrant = await postToken({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(noGrant.status).toBe(400);
    expect(noGrant.body).toMatchObject({ error: 'invalid_request', error_codes: [900144] });
    const badGrant = await postToken({ grant_type: 'password', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(badGrant.status).toBe(400);
    expect(badGrant.body.error).toBe('unsupported_grant_type');
    const badTenant = await postToken({ grant_type: 'refresh_token', refresh_token: 'x' }, { tenant: 'no_such_tenant' });
    expect(badTenant.status).toBe(400);
    expect(badTenant.body.error_codes).toEqual([90002]);
    // The token endpoint reads form posts only.
    const json = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'x', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as TokenBody).error).toBe('invalid_request');
  });
});

describe('token endpoint: refresh-token rotation', () => {
  it('returns a new refresh token on every refresh, keeps old ones valid by default, and counts refreshes', async () => {
    const a = await connect('rotate-a@sandbox.test');
    await connect('rotate-b@sandbox.test');
    const first = await refresh(a.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.access_token).not.toBe(a.accessToken);
    expect(first.body.refresh_token).toBeTypeOf('string');
    expect(first.body.refresh_token).not.toBe(a.refreshToken);

    const second = await refresh(first.body.refresh_token as string);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(second.body.refresh_token).not.toBe(a.refreshToken);

    // Like real AAD, a superseded refresh token still works until it expires.
    const old = await refresh(a.refreshToken);
    expect(old.status).toBe(200);

    const stats = await sandbox.control.stats();
    expect(stats.byAccount['rotate-a@sandbox.test']).toMatchObject({ tokenRefreshes: 3, tokenRefreshFailures: 0 });
    expect(stats.byAccount['rotate-b@sandbox.test']?.tokenRefreshes).toBe(0);
    // Every access token minted along the chain works.
    for (const token of [first.body.access_token, second.body.access_token, old.body.access_token]) {
      expect((await graph(token, '/me')).status).toBe(200);
    }
  });

  it('with strictRotation, a redeemed refresh token fails with invalid_grant and counts as a failure', async () => {
    expect((await sandbox.control.configure({ strictRotation: true })).strictRotation).toBe(true);
    const conn = await connect('strict@sandbox.test');
    const first = await refresh(conn.refreshToken);
    expect(first.status).toBe(200);
    const newest = first.body.refresh_token as string;

    const stale = await refresh(conn.refreshToken);
    expect(stale.status).toBe(400);
    expect(stale.body.error).toBe('invalid_grant');
    expect(stale.body.error_codes).toEqual([70000]);

    const ok = await refresh(newest);
    expect(ok.status).toBe(200);
    expect((await refresh(newest)).status).toBe(400);
    expect((await refresh(ok.body.refresh_token as string)).status).toBe(200);

    const stats = await sandbox.control.stats();
    expect(stats.byAccount['strict@sandbox.test']).toMatchObject({ tokenRefreshes: 3, tokenRefreshFailures: 2 });
    await sandbox.control.reset();
    expect((await sandbox.control.getConfig()).strictRotation).toBe(false);
  });

  it('refuses a scope wider than the grant with AADSTS65001 and accepts a narrower one', async () => {
    const conn = await connect('scopes@sandbox.test', 'openid offline_access User.Read');
    const wider = await refresh(conn.refreshToken, { scope: 'User.Read Calendars.ReadWrite offline_access' });
    expect(wider.status).toBe(400);
    expect(wider.body).toMatchObject({ error: 'invalid_grant', error_codes: [65001] });
    const narrower = await refresh(conn.refreshToken, { scope: 'https://graph.microsoft.com/User.Read offline_access' });
    expect(narrower.status).toBe(200);
    expect(narrower.body.scope).toBe('https://graph.microsoft.com/User.Read');
  });

  it('answers AADSTS700082 once refresh tokens have expired', async () => {
    const conn = await connect('idle@sandbox.test');
    await sandbox.control.expireRefreshTokens('idle@sandbox.test');
    const expired = await refresh(conn.refreshToken);
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({ error: 'invalid_grant', error_codes: [700082] });
    expect((await sandbox.control.stats()).byAccount['idle@sandbox.test']?.tokenRefreshFailures).toBe(1);
  });

  it('revokes every grant of an account through the control API: AADSTS50173 and 401 on Graph', async () => {
    const one = await connect('revoke@sandbox.test');
    const two = await connect('revoke@sandbox.test');
    const other = await connect('keep@sandbox.test');
    await sandbox.control.revoke('revoke@sandbox.test');
    for (const conn of [one, two]) {
      const result = await refresh(conn.refreshToken);
      expect(result.status).toBe(400);
      expect(result.body).toMatchObject({ error: 'invalid_grant', error_codes: [50173] });
      expectInvalidToken(await graph(conn.accessToken, '/me'));
    }
    expect((await refresh(other.refreshToken)).status).toBe(200);
    expect((await graph(other.accessToken, '/me')).status).toBe(200);
    expect((await sandbox.control.stats()).byAccount['revoke@sandbox.test']?.tokenRefreshFailures).toBe(2);
  });
});

describe('Graph /me', () => {
  it('returns the signed-in user with a stable GUID id', async () => {
    await sandbox.control.createAccount('grace.hopper@navy.test', 'Grace Brewster Hopper');
    const conn = await connect('Grace.Hopper@Navy.test');
    const me = await graph(conn.accessToken, '/me', { 'client-request-id': 'abc-123' });
    expect(me.status).toBe(200);
    expect(me.headers.get('client-request-id')).toBe('abc-123');
    expect(me.headers.get('request-id')).toMatch(GUID);
    expect(me.body).toEqual({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
      businessPhones: [],
      displayName: 'Grace Brewster Hopper',
      givenName: 'Grace',
      jobTitle: null,
      mail: 'grace.hopper@navy.test',
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: 'Brewster Hopper',
      userPrincipalName: 'grace.hopper@navy.test',
      id: expect.stringMatching(GUID),
    });
    const id = me.body['id'];
    const other = await connect('someone.else@navy.test');
    const otherMe = await graph(other.accessToken, '/me');
    expect(otherMe.body['id']).not.toBe(id);
    expect(otherMe.body['displayName']).toBe('Someone Else');

    await sandbox.control.reset();
    expect((await sandbox.control.createAccount('grace.hopper@navy.test')).id).toBe(id);
  });

  it('shows the mail a tenant set, which need not be the sign-in name, and another tenant id', async () => {
    const tenantId = '3f0b1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const created = await sandbox.control.createAccount('mallory@evil.test', undefined, { mail: 'ada@sandbox.test', tenantId });
    expect(created).toMatchObject({ email: 'mallory@evil.test', mail: 'ada@sandbox.test', tenantId });
    const conn = await connect('mallory@evil.test');
    const me = await graph(conn.accessToken, '/me?$select=id,mail,userPrincipalName');
    expect(me.body).toMatchObject({ id: created.id, mail: 'ada@sandbox.test', userPrincipalName: 'mallory@evil.test' });
  });

  it('supports $select', async () => {
    const conn = await connect('select@sandbox.test');
    const me = await graph(conn.accessToken, '/me?$select=mail,userPrincipalName');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users(mail,userPrincipalName)/$entity',
      mail: 'select@sandbox.test',
      userPrincipalName: 'select@sandbox.test',
    });
    const bad = await graph(conn.accessToken, '/me?$select=favouriteColour');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('BadRequest');
  });

  it('requires User.Read: 403 Authorization_RequestDenied without it', async () => {
    const conn = await connect('no-user-read@sandbox.test', 'offline_access Calendars.ReadWrite');
    const denied = await graph(conn.accessToken, '/me');
    expect(denied.status).toBe(403);
    expect(denied.body.error?.code).toBe('Authorization_RequestDenied');
    expect(denied.body.error?.innerError?.['request-id']).toBe(denied.headers.get('request-id'));
    const full = await connect('user-read@sandbox.test', 'offline_access user.read');
    expect((await graph(full.accessToken, '/me')).status).toBe(200);
  });

  it('answers 401 InvalidAuthenticationToken for missing, unknown and expired tokens', async () => {
    expectInvalidToken(await graph(undefined, '/me'));
    expectInvalidToken(await graph('EwB.unknown', '/me'));
    const conn = await connect('expire@sandbox.test');
    const other = await connect('not-expired@sandbox.test');
    expect((await graph(conn.accessToken, '/me')).status).toBe(200);
    await sandbox.control.expireAccessTokens('expire@sandbox.test');
    expectInvalidToken(await graph(conn.accessToken, '/me'));
    expect((await graph(other.accessToken, '/me')).status).toBe(200);
    const renewed = await refresh(conn.refreshToken);
    expect((await graph(renewed.body.access_token, '/me')).status).toBe(200);
  });

  it('expires access tokens after the configured TTL', async () => {
    frozenClock = Date.now();
    await sandbox.control.configure({ accessTokenTtlSeconds: 1 });
    const { code } = await sandbox.control.authorize({ email: 'ttl@sandbox.test', clientId: CLIENT_ID, redirectUri: REDIRECT_URI });
    const tokens = await exchange(code);
    expect(tokens.body.expires_in).toBe(1);
    expect(tokens.body.ext_expires_in).toBe(1);
    expect((await graph(tokens.body.access_token, '/me')).status).toBe(200);
    frozenClock += 999;
    expect((await graph(tokens.body.access_token, '/me')).status).toBe(200);
    frozenClock += 1;
    expectInvalidToken(await graph(tokens.body.access_token, '/me'));
  });

  it('answers unknown Graph routes with 404 ResourceNotFound, after authentication', async () => {
    const conn = await connect('routes@sandbox.test');
    const result = await graph(conn.accessToken, '/me/nonsense');
    expect(result.status).toBe(404);
    expect(result.body.error?.code).toBe('ResourceNotFound');
    const other = await graph(conn.accessToken, '/no/such/thing');
    expect(other.status).toBe(404);
    expect(other.body.error?.message).toBe("Resource not found for the segment 'no'.");
    expectInvalidToken(await graph(undefined, '/no/such/thing'));
  });

  it('throttles per mailbox with 429 TooManyRequests and a Retry-After', async () => {
    const busy = await connect('busy@sandbox.test');
    const calm = await connect('calm@sandbox.test');
    await sandbox.control.configure({ mailboxRequestsPer10Minutes: 2 });
    expect((await graph(busy.accessToken, '/me')).status).toBe(200);
    expect((await graph(busy.accessToken, '/me')).status).toBe(200);
    const limited = await graph(busy.accessToken, '/me');
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('TooManyRequests');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect((await graph(calm.accessToken, '/me')).status).toBe(200);
    const stats = await sandbox.control.stats();
    expect(stats.byAccount['busy@sandbox.test']?.throttled).toBe(1);
    expect(stats.byAccount['calm@sandbox.test']?.throttled).toBe(0);
    await sandbox.control.configure({ mailboxRequestsPer10Minutes: 0 });
    expect((await graph(busy.accessToken, '/me')).status).toBe(200);
  });
});

describe('fault injection', () => {
  it('answers Graph with an injected status, Graph body and Retry-After, once, for the matching account', async () => {
    const conn = await connect('fault-status@sandbox.test');
    const other = await connect('fault-other@sandbox.test');
    await sandbox.control.addFault({ path: '/v1.0/me', account: 'Fault-Status@sandbox.test', status: 429, retryAfterSeconds: 7 });
    expect((await graph(other.accessToken, '/me')).status).toBe(200);
    const limited = await graph(conn.accessToken, '/me');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.error?.code).toBe('TooManyRequests');
    expect(limited.body.error?.innerError?.['request-id']).toMatch(GUID);
    expect((await graph(conn.accessToken, '/me')).status).toBe(200);

    // A 429 without retryAfterSeconds still says when to come back, as Graph does.
    await sandbox.control.addFault({ method: 'GET', status: 429 });
    const defaulted = await graph(conn.accessToken, '/me');
    expect(defaulted.headers.get('retry-after')).toBe('1');
    await sandbox.control.addFault({ status: 503, reason: 'ServiceUnavailable', message: 'Try later' });
    const unavailable = await graph(conn.accessToken, '/me');
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.error).toMatchObject({ code: 'ServiceUnavailable', message: 'Try later' });
    expect(unavailable.headers.get('retry-after')).toBeNull();
    const stats = await sandbox.control.stats();
    expect(stats.faultsInjected).toBe(3);
    expect(await sandbox.control.listFaults()).toEqual([
      expect.objectContaining({ id: 'fault-1', remaining: 0, hits: 1 }),
      expect.objectContaining({ id: 'fault-2', remaining: 0, hits: 1 }),
      expect.objectContaining({ id: 'fault-3', remaining: 0, hits: 1 }),
    ]);
  });

  it('applies to the token endpoint with AAD-shaped bodies, and a faulted refresh is not counted', async () => {
    const conn = await connect('fault-token@sandbox.test');
    await sandbox.control.addFault({ status: 500, times: 'always' });
    const failed = await refresh(conn.refreshToken);
    expect(failed.status).toBe(500);
    expect(failed.body.error).toBe('server_error');
    expect(failed.body.error_codes?.length).toBe(1);
    expect(failed.body.trace_id).toMatch(GUID);
    // The rule matches everything, yet the control API keeps answering.
    expect((await sandbox.control.stats()).byAccount['fault-token@sandbox.test']?.tokenRefreshes).toBe(0);
    await sandbox.control.clearFaults();
    expect(await sandbox.control.listFaults()).toEqual([]);
    expect((await refresh(conn.refreshToken)).status).toBe(200);
  });

  it('drops the token response after really rotating: the lost refresh token was issued', async () => {
    await sandbox.control.configure({ strictRotation: true });
    const conn = await connect('fault-drop@sandbox.test');
    await sandbox.control.addFault({ path: '/token', dropResponse: true });
    await expect(refresh(conn.refreshToken)).rejects.toThrow();
    expect((await sandbox.control.stats()).byAccount['fault-drop@sandbox.test']?.tokenRefreshes).toBe(1);
    // The rotation happened server-side, so under strict rotation the old token is now dead.
    const retry = await refresh(conn.refreshToken);
    expect(retry.status).toBe(400);
    expect(retry.body.error).toBe('invalid_grant');
  });

  it('resets the connection before doing anything', async () => {
    const conn = await connect('fault-reset@sandbox.test');
    await sandbox.control.addFault({ path: '/token', resetConnection: true });
    await expect(refresh(conn.refreshToken)).rejects.toThrow();
    expect((await sandbox.control.stats()).byAccount['fault-reset@sandbox.test']?.tokenRefreshes).toBe(0);
    await sandbox.control.addFault({ path: '/v1.0/', resetConnection: true });
    await expect(graph(conn.accessToken, '/me')).rejects.toThrow();
    expect((await graph(conn.accessToken, '/me')).status).toBe(200);
    expect((await refresh(conn.refreshToken)).status).toBe(200);
  });

  it('adds latency and then handles the request normally', async () => {
    const conn = await connect('fault-latency@sandbox.test');
    await sandbox.control.addFault({ path: '/me', latencyMs: 300 });
    const started = Date.now();
    expect((await graph(conn.accessToken, '/me')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('validates fault rules and reports control errors', async () => {
    await expect(sandbox.control.addFault({ path: '/me' })).rejects.toBeInstanceOf(MicrosoftSandboxControlError);
    await expect(sandbox.control.addFault({ status: 500, dropResponse: true })).rejects.toMatchObject({ status: 400 });
    await expect(sandbox.control.revoke('nobody@sandbox.test')).rejects.toMatchObject({ status: 404 });
    await expect(sandbox.control.createAccount('not an address')).rejects.toMatchObject({ status: 400 });
    await expect(
      sandbox.control.authorize({ email: 'x@sandbox.test', clientId: 'unknown', redirectUri: REDIRECT_URI }),
    ).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('@microsoft/microsoft-graph-client against the sandbox', () => {
  /** The default auth middleware only sends tokens to https Graph hosts, so bring our own. */
  class BearerMiddleware implements Middleware {
    private next: Middleware | undefined;

    constructor(private readonly token: () => string) {}

    async execute(context: Context): Promise<void> {
      const options = (context.options ??= {});
      const headers = new Headers(options.headers);
      headers.set('Authorization', `Bearer ${this.token()}`);
      options.headers = headers;
      if (!this.next) throw new Error('BearerMiddleware must not be last in the chain');
      await this.next.execute(context);
    }

    setNext(next: Middleware): void {
      this.next = next;
    }
  }

  function graphClient(token: () => string): Client {
    return Client.initWithMiddleware({
      // MICROSOFT_GRAPH_URL already ends in /v1.0, so no extra version segment.
      baseUrl: `${sandbox.url}/v1.0`,
      defaultVersion: '',
      middleware: [new BearerMiddleware(token), new RetryHandler(new RetryHandlerOptions(1, 2)), new HTTPMessageHandler()],
    });
  }

  it('reads /me', async () => {
    const conn = await connect('sdk@sandbox.test');
    const me = (await graphClient(() => conn.accessToken)
      .api('/me')
      .select(['id', 'mail'])
      .get()) as Record<string, unknown>;
    expect(me['mail']).toBe('sdk@sandbox.test');
    expect(me['id']).toMatch(GUID);
    expect(me).not.toHaveProperty('displayName');
  });

  it('surfaces a 401 as a GraphError with Graph’s code and request id', async () => {
    const conn = await connect('sdk-expired@sandbox.test');
    await sandbox.control.expireAccessTokens('sdk-expired@sandbox.test');
    const error: unknown = await graphClient(() => conn.accessToken)
      .api('/me')
      .get()
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
    expect((error as GraphError).requestId).toMatch(GUID);
  });

  it('honours Retry-After on a 429 through its RetryHandler', async () => {
    const conn = await connect('sdk-throttled@sandbox.test');
    await sandbox.control.addFault({ path: '/v1.0/me', status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    const me = (await graphClient(() => conn.accessToken)
      .api('/me')
      .get()) as Record<string, unknown>;
    expect(me['userPrincipalName']).toBe('sdk-throttled@sandbox.test');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const stats = await sandbox.control.stats();
    expect(stats.faultsInjected).toBe(1);
    // The code exchange, the throttled call and its retry.
    expect(stats.byAccount['sdk-throttled@sandbox.test']?.requests).toBe(3);
  });
});
