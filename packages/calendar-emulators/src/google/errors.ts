import type { Response } from 'express';
import type { JsonValue } from './types';

// Error bodies exactly as the Calendar API (legacy "errors[]" shape) and Google's
// OAuth endpoints send them, because clients branch on `reason` and `error`.

export interface GoogleErrorItem {
  domain: string;
  reason: string;
  message: string;
  locationType?: string;
  location?: string;
}

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    errors: GoogleErrorItem[];
    status?: string;
    details?: JsonValue[];
  };
}

interface ErrorOptions {
  domain?: string;
  location?: string;
  locationType?: string;
}

const USAGE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded']);

export function domainForReason(reason: string): string {
  return USAGE_LIMIT_REASONS.has(reason) ? 'usageLimits' : 'global';
}

export function googleErrorBody(code: number, reason: string, message: string, options: ErrorOptions = {}): GoogleErrorBody {
  const item: GoogleErrorItem = { domain: options.domain ?? domainForReason(reason), reason, message };
  if (options.locationType !== undefined) item.locationType = options.locationType;
  if (options.location !== undefined) item.location = options.location;
  return { error: { errors: [item], code, message } };
}

/** Thrown by domain code; routes turn it into a Google-shaped response. */
export class GoogleApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly options: ErrorOptions = {},
  ) {
    super(message);
    this.name = 'GoogleApiError';
  }

  toBody(): GoogleErrorBody {
    return googleErrorBody(this.status, this.reason, this.message, this.options);
  }
}

export const apiErrors = {
  notFound: () => new GoogleApiError(404, 'notFound', 'Not Found'),
  duplicate: () => new GoogleApiError(409, 'duplicate', 'The requested identifier already exists.'),
  deleted: () => new GoogleApiError(410, 'deleted', 'Resource has been deleted'),
  conditionNotMet: () =>
    new GoogleApiError(412, 'conditionNotMet', 'Precondition Failed', { locationType: 'header', location: 'If-Match' }),
  fullSyncRequired: () => new GoogleApiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.'),
  timeRangeEmpty: (location?: string) =>
    new GoogleApiError(
      400,
      'timeRangeEmpty',
      'The specified time range is empty.',
      location ? { domain: 'calendar', locationType: 'parameter', location } : { domain: 'calendar' },
    ),
  // freeBusy.query's limits; Google publishes the reasons but not the wording.
  timeRangeTooLong: () => new GoogleApiError(400, 'timeRangeTooLong', 'The requested time range is too long.', { domain: 'calendar' }),
  tooManyCalendarsRequested: () =>
    new GoogleApiError(400, 'tooManyCalendarsRequested', 'The number of calendars requested is too large for a single query.', {
      domain: 'calendar',
    }),
  invalid: (message: string) => new GoogleApiError(400, 'invalid', message),
  required: (message: string) => new GoogleApiError(400, 'required', message),
  invalidParameter: (message: string, parameter: string) =>
    new GoogleApiError(400, 'invalidParameter', message, { locationType: 'parameter', location: parameter }),
  badRequest: () => new GoogleApiError(400, 'badRequest', 'Bad Request'),
  parseError: () => new GoogleApiError(400, 'parseError', 'Parse Error'),
  userRateLimitExceeded: () => new GoogleApiError(403, 'userRateLimitExceeded', 'Rate Limit Exceeded'),
  requiredAccessLevel: () => new GoogleApiError(403, 'requiredAccessLevel', 'You need to have writer access to this calendar.'),
  // What Google answers for a user whose Calendar service is off (suspended, or switched off by their admin).
  notACalendarUser: () =>
    new GoogleApiError(403, 'notACalendarUser', 'The user must be signed up for Google Calendar.', { domain: 'calendar' }),
};

/** Google's exact 401 for a missing, unknown, expired or revoked access token. */
export function unauthenticatedBody(): GoogleErrorBody {
  return {
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
}

/** Google's 403 when the token is valid but its scopes do not cover the method. */
export function insufficientScopesBody(method: string): GoogleErrorBody {
  return {
    error: {
      code: 403,
      message: 'Request had insufficient authentication scopes.',
      errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
          domain: 'googleapis.com',
          metadata: { service: 'calendar-json.googleapis.com', method },
        },
      ],
    },
  };
}

/** A valid token whose scopes do not reach the method (or not on this calendar): Google's 403 with its own body. */
export class InsufficientScopeError extends GoogleApiError {
  constructor(readonly method: string) {
    super(403, 'insufficientPermissions', 'Insufficient Permission');
    this.name = 'InsufficientScopeError';
  }

  override toBody(): GoogleErrorBody {
    return insufficientScopesBody(this.method);
  }
}

export function sendGoogleError(res: Response, error: GoogleApiError): void {
  if (error instanceof InsufficientScopeError) {
    res.set('WWW-Authenticate', 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"');
  }
  res.status(error.status).json(error.toBody());
}

/** Errors of the token and revoke endpoints: `{error, error_description}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }

  toBody(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const oauthErrors = {
  revokedGrant: () => new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.'),
  badCode: () => new OAuthError(400, 'invalid_grant', 'Bad Request'),
  malformedCode: () => new OAuthError(400, 'invalid_grant', 'Malformed auth code.'),
  missingVerifier: () => new OAuthError(400, 'invalid_grant', 'Missing code verifier.'),
  badVerifier: () => new OAuthError(400, 'invalid_grant', 'Invalid code verifier.'),
  redirectMismatch: () => new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request'),
  unknownClient: () => new OAuthError(401, 'invalid_client', 'The OAuth client was not found.'),
  badClientSecret: () => new OAuthError(401, 'invalid_client', 'Unauthorized'),
  wrongClient: () => new OAuthError(401, 'unauthorized_client', 'Unauthorized'),
  noClientId: () => new OAuthError(400, 'invalid_request', 'Could not determine client ID from request.'),
  missing: (parameter: string) => new OAuthError(400, 'invalid_request', `Missing required parameter: ${parameter}`),
  unsupportedGrant: (grantType: string) => new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`),
};
