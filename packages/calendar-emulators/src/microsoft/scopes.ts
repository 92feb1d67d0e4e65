// Scopes of the Microsoft identity platform as the sandbox understands them. Graph
// permission names are case-insensitive and may carry the resource prefix
// (`https://graph.microsoft.com/User.Read`); OpenID Connect scopes are not Graph
// permissions and never show up in Graph's checks.

const GRAPH_RESOURCE = 'https://graph.microsoft.com/';

export const MICROSOFT_SCOPES = {
  openid: 'openid',
  profile: 'profile',
  email: 'email',
  offlineAccess: 'offline_access',
  userRead: 'User.Read',
  calendarsRead: 'Calendars.Read',
  calendarsReadWrite: 'Calendars.ReadWrite',
} as const;

/** What the control API's authorize grants when no scope is given: what the service asks for. */
export const DEFAULT_SCOPE = 'openid profile offline_access User.Read Calendars.ReadWrite';

const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** Permissions that let a token read the signed-in user (`GET /me`). */
export const USER_READ_PERMISSIONS = [
  'User.Read',
  'User.ReadWrite',
  'User.ReadBasic.All',
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
] as const;

/** Permissions that let a token read the signed-in user's calendars and events. */
export const CALENDAR_READ_PERMISSIONS = [
  'Calendars.Read',
  'Calendars.ReadWrite',
  'Calendars.Read.Shared',
  'Calendars.ReadWrite.Shared',
] as const;

/** Permissions that let a token create, change and delete the signed-in user's events. */
export const CALENDAR_WRITE_PERMISSIONS = ['Calendars.ReadWrite', 'Calendars.ReadWrite.Shared'] as const;

/** The scope string as a list, duplicates (case-insensitive) dropped, order kept. */
export function scopeList(scope: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of scope.trim().split(/\s+/)) {
    if (!item || seen.has(canonicalScope(item))) continue;
    seen.add(canonicalScope(item));
    out.push(item);
  }
  return out;
}

export function normalizeScope(scope: string): string {
  return scopeList(scope).join(' ');
}

/** `https://graph.microsoft.com/User.Read` and `user.read` are the same permission. */
export function canonicalScope(scope: string): string {
  const lower = scope.toLowerCase();
  return lower.startsWith(GRAPH_RESOURCE) ? lower.slice(GRAPH_RESOURCE.length) : lower;
}

export function hasOfflineAccess(scope: string): boolean {
  return scopeList(scope).some((item) => canonicalScope(item) === 'offline_access');
}

/** True when the granted scopes include any of the given permissions. */
export function grantsAny(granted: string, permissions: readonly string[]): boolean {
  const have = new Set(scopeList(granted).map(canonicalScope));
  return permissions.some((permission) => have.has(canonicalScope(permission)));
}

/** The Graph permissions of `requested` that `granted` does not cover (OIDC scopes ignored). */
export function missingPermissions(requested: string, granted: string): string[] {
  const have = new Set(scopeList(granted).map(canonicalScope));
  return scopeList(requested).filter((item) => !OIDC_SCOPES.has(canonicalScope(item)) && !have.has(canonicalScope(item)));
}

/** The `scope` of a token response: AAD does not list offline_access there. */
export function responseScope(scope: string): string {
  return scopeList(scope)
    .filter((item) => canonicalScope(item) !== 'offline_access')
    .join(' ');
}

// Microsoft's own consent-screen wording.
const DESCRIPTIONS: Record<string, string> = {
  openid: 'Sign you in',
  profile: 'View your basic profile',
  email: 'View your email address',
  offline_access: 'Maintain access to data you have given it access to',
  'user.read': 'Sign you in and read your profile',
  'user.readwrite': 'Read and update your profile',
  'calendars.read': 'Read your calendars',
  'calendars.readwrite': 'Have full access to your calendars',
  'calendars.read.shared': 'Read user and shared calendars',
  'calendars.readwrite.shared': 'Read and write user and shared calendars',
};

export function describeScope(scope: string): string {
  return DESCRIPTIONS[canonicalScope(scope)] ?? scope;
}
