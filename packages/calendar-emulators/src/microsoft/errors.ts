// Error bodies as the Microsoft identity platform (AADSTS errors) and Graph send them.
// Clients branch on `error` (OAuth) and `error.code` (Graph); the AADSTS numbers tell
// a human, and the service's logs, why.

/** Ids that tie an error to its request, as AAD and Graph report them. */
export interface RequestIds {
  /** AAD trace_id / Graph request-id. */
  requestId: string;
  /** AAD correlation_id / Graph client-request-id: the caller's `client-request-id` if it sent one. */
  clientRequestId: string;
  at: Date;
}

export interface AadErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** "2016-01-09 02:02:12Z", AAD's timestamp format. */
function aadTimestamp(at: Date): string {
  return at
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function aadErrorBody(error: string, codes: readonly number[], message: string, ids: RequestIds): AadErrorBody {
  const timestamp = aadTimestamp(ids.at);
  const first = codes[0];
  const prefix = first === undefined ? '' : `AADSTS${first}: `;
  return {
    error,
    error_description: `${prefix}${message}\r\nTrace ID: ${ids.requestId}\r\nCorrelation ID: ${ids.clientRequestId}\r\nTimestamp: ${timestamp}`,
    error_codes: [...codes],
    timestamp,
    trace_id: ids.requestId,
    correlation_id: ids.clientRequestId,
    error_uri: `https://login.microsoftonline.com/error?code=${first ?? ''}`,
  };
}

/** An error of the authorize or token endpoint; routes render it as a page, a redirect or JSON. */
export class AadError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly codes: readonly number[],
    /** Without the `AADSTS<code>: ` prefix. */
    readonly detail: string,
  ) {
    super(`${error}: AADSTS${codes[0] ?? ''}: ${detail}`);
    this.name = 'AadError';
  }

  /** What goes into `error_description` of a redirect: `AADSTS<code>: <detail>`. */
  get description(): string {
    return this.codes[0] === undefined ? this.detail : `AADSTS${this.codes[0]}: ${this.detail}`;
  }

  toBody(ids: RequestIds): AadErrorBody {
    return aadErrorBody(this.error, this.codes, this.detail, ids);
  }
}

const quote = (value: string): string => `'${value}'`;
const aadDate = (ms: number): string => aadTimestamp(new Date(ms));

export const aadErrors = {
  missing: (parameter: string) =>
    new AadError(400, 'invalid_request', [900144], `The request body must contain the following parameter: ${quote(parameter)}.`),
  malformed: (detail: string) =>
    new AadError(400, 'invalid_request', [9002313], `Invalid request. Request is malformed or invalid. ${detail}`),
  tenantNotFound: (tenant: string) =>
    new AadError(
      400,
      'invalid_request',
      [90002],
      `Tenant ${quote(tenant)} not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    ),
  unknownClient: (clientId: string, tenant: string) =>
    new AadError(
      400,
      'unauthorized_client',
      [700016],
      `Application with identifier ${quote(clientId)} was not found in the directory ${quote(tenant)}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  invalidRedirectUri: () => new AadError(400, 'invalid_request', [90102], "'redirect_uri' value must be a valid absolute URI."),
  redirectUriNotRegistered: (redirectUri: string, clientId: string) =>
    new AadError(
      400,
      'invalid_request',
      [50011],
      `The redirect URI ${quote(redirectUri)} specified in the request does not match the redirect URIs configured for the application ${quote(clientId)}. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
    ),
  unsupportedResponseType: (responseType: string) =>
    new AadError(
      400,
      'unsupported_response_type',
      [70005],
      `The response_type ${quote(responseType)} is not supported by this sandbox; use 'code'.`,
    ),
  unsupportedResponseMode: (responseMode: string) =>
    new AadError(
      400,
      'invalid_request',
      [9002313],
      `Invalid request. The response_mode ${quote(responseMode)} is not supported by this sandbox; use 'query'.`,
    ),
  loginRequired: () => new AadError(400, 'login_required', [50058], 'A silent sign-in request was sent but no user is signed in.'),
  userDeclined: () => new AadError(400, 'access_denied', [65004], 'User declined to consent to access the app.'),
  missingSecret: () =>
    new AadError(
      401,
      'invalid_client',
      [7000218],
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  badSecret: (clientId: string) =>
    new AadError(
      401,
      'invalid_client',
      [7000215],
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app ${quote(clientId)}.`,
    ),
  unsupportedGrant: (grantType: string) =>
    new AadError(400, 'unsupported_grant_type', [70003], `The app requested an unsupported grant type ${quote(grantType)}.`),
  badCode: () => new AadError(400, 'invalid_grant', [70000], "The provided value for the 'code' parameter is not valid."),
  usedCode: () =>
    new AadError(
      400,
      'invalid_grant',
      [70000, 54005],
      'The provided authorization code is not valid. AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    ),
  codeForOtherClient: () =>
    new AadError(400, 'invalid_grant', [70000], 'The provided authorization code was issued to a different client.'),
  expiredGrant: () =>
    new AadError(
      400,
      'invalid_grant',
      [70008],
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    ),
  redirectMismatch: (given: string | undefined, expected: string) =>
    new AadError(
      400,
      'invalid_grant',
      [500112],
      `The reply address ${quote(given ?? '')} does not match the reply address ${quote(expected)} provided when requesting Authorization code.`,
    ),
  badVerifier: () =>
    new AadError(
      400,
      'invalid_grant',
      [501481],
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
    ),
  expiredRefreshToken: (issuedAt: number, expiredAt: number) =>
    new AadError(
      400,
      'invalid_grant',
      [700082],
      `The refresh token has expired due to inactivity. The token was issued on ${aadDate(issuedAt)} and was inactive for ${Math.round((expiredAt - issuedAt) / 86_400_000)} days.`,
    ),
  rotatedRefreshToken: () =>
    new AadError(
      400,
      'invalid_grant',
      [70000],
      'The provided refresh token is not valid: it was already redeemed for a newer one (sandbox strictRotation).',
    ),
  refreshTokenForOtherClient: () =>
    new AadError(400, 'invalid_grant', [70000], 'The provided refresh token was issued to a different client.'),
  revokedGrant: (issuedAt: number, revokedAt: number) =>
    new AadError(
      400,
      'invalid_grant',
      [50173],
      `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${aadDate(issuedAt)}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${aadDate(revokedAt)}'.`,
    ),
  consentRequired: (clientId: string, scopes: readonly string[]) =>
    new AadError(
      400,
      'invalid_grant',
      [65001],
      `The user or administrator has not consented to use the application with ID ${quote(clientId)} for ${scopes.join(' ')}. Send an interactive authorization request for this user and resource.`,
    ),
};

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: {
      date: string;
      'request-id': string;
      'client-request-id': string;
    };
  };
}

export function graphErrorBody(code: string, message: string, ids: RequestIds): GraphErrorBody {
  return {
    error: {
      code,
      message,
      innerError: {
        // Graph's innerError date has no fraction and no zone designator.
        date: ids.at.toISOString().replace(/\.\d+Z$/, ''),
        'request-id': ids.requestId,
        'client-request-id': ids.clientRequestId,
      },
    },
  };
}

/** Thrown by Graph handlers; the router renders it with the request's ids. */
export class GraphApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'GraphApiError';
  }
}

/** The realm Graph announces in WWW-Authenticate on 401s. */
const GRAPH_CHALLENGE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

export const graphErrors = {
  invalidToken: () =>
    new GraphApiError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.', {
      'WWW-Authenticate': GRAPH_CHALLENGE,
    }),
  accessDenied: () => new GraphApiError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  notFound: (segment: string) => new GraphApiError(404, 'ResourceNotFound', `Resource not found for the segment '${segment}'.`),
  badRequest: (message: string) => new GraphApiError(400, 'BadRequest', message),
  throttled: (retryAfterSeconds: number) =>
    new GraphApiError(429, 'TooManyRequests', 'Too many requests. Retry after the number of seconds in the Retry-After header.', {
      'Retry-After': String(retryAfterSeconds),
    }),
  internal: () => new GraphApiError(500, 'InternalServerError', 'An internal server error occurred in the sandbox.'),

  // Outlook (Exchange) resources: calendars and events answer with Exchange's codes.
  itemNotFound: () => new GraphApiError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.'),
  // Graph's answer for a mailbox that is inactive, soft-deleted or hosted on-premises.
  mailboxNotEnabled: () =>
    new GraphApiError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.'),
  mailboxAccessDenied: () => new GraphApiError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
  changeKeyMismatch: () =>
    new GraphApiError(
      412,
      'ErrorIrresolvableConflict',
      'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
    ),
  timeZoneNotSupported: (zone: string) =>
    new GraphApiError(
      400,
      'TimeZoneNotSupportedException',
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${zone}'.`,
    ),
  invalidParameter: (message: string) => new GraphApiError(400, 'ErrorInvalidParameter', message),
  invalidRequest: (message: string) => new GraphApiError(400, 'ErrorInvalidRequest', message),
  invalidProperty: (message: string) => new GraphApiError(400, 'ErrorInvalidProperty', message),
  unknownProperty: (name: string, type: string) =>
    new GraphApiError(
      400,
      'BadRequest',
      `The property '${name}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    ),
  invalidValue: (name: string) => new GraphApiError(400, 'BadRequest', `Invalid value for property '${name}'.`),
  parseUri: (message: string) => new GraphApiError(400, 'RequestBroker--ParseUri', message),
  recurrenceHasNoOccurrence: () =>
    new GraphApiError(400, 'ErrorRecurrenceHasNoOccurrence', 'The recurrence pattern has no occurrences in the specified range.'),
  syncStateNotFound: () => new GraphApiError(410, 'SyncStateNotFound', 'The sync state is no longer valid. Start a full synchronization.'),
  // getSchedule passes Exchange's availability codes through (GetUserAvailability's).
  mailboxDataArrayTooBig: (allowed: number, actual: number) =>
    new GraphApiError(
      400,
      'ErrorMailboxDataArrayTooBig',
      `There are too many target users in the EmailAddress array. The allowed size = ${allowed}; the actual size = ${actual}.`,
    ),
  timeIntervalTooBig: (maxDays: number) =>
    new GraphApiError(400, 'ErrorTimeIntervalTooBig', `The time interval is too big. It must be shorter than ${maxDays} days.`),
  invalidTimeInterval: () =>
    new GraphApiError(
      400,
      'ErrorInvalidTimeInterval',
      'The specified time interval is invalid: the end time must be later than the start time.',
    ),
  invalidMergedFreeBusyInterval: (min: number, max: number) =>
    new GraphApiError(
      400,
      'ErrorInvalidMergedFreeBusyInterval',
      `The availabilityViewInterval must be between ${min} and ${max} minutes and shorter than the requested time window.`,
    ),
  invalidActionParameter: (name: string, action: string) =>
    new GraphApiError(
      400,
      'BadRequest',
      `The parameter '${name}' in the request payload is not a valid parameter for the operation '${action}'.`,
    ),
  mailboxConcurrency: (retryAfterSeconds: number) =>
    new GraphApiError(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', {
      'Retry-After': String(retryAfterSeconds),
    }),
};
