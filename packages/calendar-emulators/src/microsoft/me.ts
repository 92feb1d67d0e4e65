import type { RequestHandler, Router } from 'express';
import { searchParams } from '../shared/http';
import { requestContext } from './context';
import { graphErrors, type GraphApiError } from './errors';
import { USER_READ_PERMISSIONS } from './scopes';
import { findAccount, type Account, type MicrosoftSandboxState } from './state';
import type { GraphUser } from './types';

// GET /me: the signed-in user, as Graph returns it (the default property set), with $select.

const METADATA = 'https://graph.microsoft.com/v1.0/$metadata';

type UserProperty = Exclude<keyof GraphUser, '@odata.context'>;

const USER_PROPERTIES: readonly UserProperty[] = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

/** Authenticate, throttle, then check the permissions (403 from `denied`, Authorization_RequestDenied by default). */
export type GuardFactory = (permissions: readonly string[], denied?: () => GraphApiError) => RequestHandler[];

export function toGraphUser(account: Account): GraphUser {
  return {
    '@odata.context': `${METADATA}#users/$entity`,
    businessPhones: [],
    displayName: account.displayName,
    givenName: account.givenName,
    jobTitle: null,
    mail: account.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: account.surname,
    userPrincipalName: account.email,
    id: account.id,
  };
}

/** `$select=id,mail` (names case-insensitive); undefined when absent. */
function selectedProperties(select: string | null): UserProperty[] | undefined {
  if (select === null) return undefined;
  const byLowerName = new Map(USER_PROPERTIES.map((name) => [name.toLowerCase(), name]));
  return select
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const name = byLowerName.get(item.toLowerCase());
      if (!name) throw graphErrors.badRequest(`Could not find a property named '${item}' on type 'microsoft.graph.user'.`);
      return name;
    });
}

function project(user: GraphUser, properties: UserProperty[]): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.context': `${METADATA}#users(${properties.join(',')})/$entity` };
  for (const name of properties) out[name] = user[name];
  return out;
}

export function registerMeRoutes(router: Router, state: MicrosoftSandboxState, guard: GuardFactory): void {
  router.get('/me', ...guard(USER_READ_PERMISSIONS), (req, res) => {
    const email = requestContext(req).accessToken?.email;
    const account = email === undefined ? undefined : findAccount(state, email);
    if (!account) throw graphErrors.invalidToken();
    const user = toGraphUser(account);
    const properties = selectedProperties(searchParams(req).get('$select'));
    res.json(properties && properties.length > 0 ? project(user, properties) : user);
  });
}
