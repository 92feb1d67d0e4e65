import { describe, expect, it } from 'vitest';
import { GOOGLE_SCOPES, GoogleOAuth } from '../../src/providers/google/oauth';
import { accountSubjectOf } from '../../src/providers/microsoft/oauth';

const TID = '72F988BF-86F1-41AF-91AB-2D7CD011DB47';
const OID = '00000000-0000-0000-66f3-3332eca7ea81';
const jwt = (claims: unknown) =>
  `${Buffer.from('{"typ":"JWT","alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('Microsoft account identity from the id token', () => {
  it('is tenant id / object id, lower-cased', () => {
    expect(accountSubjectOf(jwt({ tid: TID, oid: OID, preferred_username: 'ada@contoso.test' }))).toBe(
      `${TID.toLowerCase()}/${OID.toLowerCase()}`,
    );
  });

  it('is missing without both ids as GUIDs, or without a readable token', () => {
    expect(accountSubjectOf(undefined)).toBeUndefined();
    expect(accountSubjectOf('not-a-jwt')).toBeUndefined();
    expect(accountSubjectOf('a.%%%.b')).toBeUndefined();
    expect(accountSubjectOf(jwt({ tid: TID }))).toBeUndefined();
    expect(accountSubjectOf(jwt({ tid: TID, oid: 'ada@contoso.test' }))).toBeUndefined();
    expect(accountSubjectOf(jwt({ tid: 42, oid: OID }))).toBeUndefined();
    expect(accountSubjectOf(jwt(null))).toBeUndefined();
  });
});

describe('Google granted scopes', () => {
  const google = new GoogleOAuth({
    clientId: 'c',
    clientSecret: 's',
    authUrl: 'https://a/',
    tokenUrl: 'https://t/',
    revokeUrl: 'https://r/',
    apiUrl: 'https://g/',
  });
  const tokens = (scope?: string) => ({ accessToken: 'x', expiresAt: new Date(), ...(scope === undefined ? {} : { scope }) });

  it('needs every scope asked for; the order and extra scopes do not matter', () => {
    expect(google.missingScopes(tokens([...GOOGLE_SCOPES].reverse().join(' ') + ' openid'))).toEqual([]);
    expect(google.missingScopes(tokens('https://www.googleapis.com/auth/calendar.readonly'))).toEqual([
      'https://www.googleapis.com/auth/calendar.events',
    ]);
    expect(google.missingScopes(tokens())).toEqual(GOOGLE_SCOPES);
  });

  it('asks without include_granted_scopes', () => {
    const url = new URL(google.authorizeUrl({ state: 's', redirectUri: 'https://x/cb', codeChallenge: 'c' }));
    expect(url.searchParams.has('include_granted_scopes')).toBe(false);
    expect(url.searchParams.get('scope')).toBe(GOOGLE_SCOPES.join(' '));
  });
});
