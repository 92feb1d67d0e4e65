import { STATUS_CODES } from 'node:http';
import type { RequestHandler } from 'express';
import { injectFaults as injectSharedFaults } from '../shared/faults';
import type { FaultRuleInput } from '../shared/types';
import { requestContext } from './context';
import { googleErrorBody, unauthenticatedBody } from './errors';
import type { SandboxState } from './state';

// Google's error bodies for injected faults; the engine itself is ../shared/faults.

export type FaultSurface = 'calendar' | 'oauth';

const REASON_MESSAGES: Record<string, string> = {
  rateLimitExceeded: 'Rate Limit Exceeded',
  userRateLimitExceeded: 'Rate Limit Exceeded',
  quotaExceeded: 'Calendar usage limits exceeded.',
  dailyLimitExceeded: 'Daily Limit Exceeded',
  backendError: 'Backend Error',
  internalError: 'Internal Error',
  notFound: 'Not Found',
  deleted: 'Resource has been deleted',
  duplicate: 'The requested identifier already exists.',
  conditionNotMet: 'Precondition Failed',
  fullSyncRequired: 'Sync token is no longer valid, a full sync is required.',
  forbidden: 'Forbidden',
  badRequest: 'Bad Request',
};

function defaultApiReason(status: number): string {
  if (status === 403 || status === 429) return 'rateLimitExceeded';
  if (status === 404) return 'notFound';
  if (status === 409) return 'conflict';
  if (status === 410) return 'deleted';
  if (status === 412) return 'conditionNotMet';
  if (status >= 500) return 'backendError';
  return 'badRequest';
}

function defaultOAuthError(status: number): string {
  if (status === 401) return 'invalid_client';
  if (status === 503) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}

function faultBody(surface: FaultSurface, input: FaultRuleInput, status: number): unknown {
  if (surface === 'oauth') {
    const error = input.reason ?? defaultOAuthError(status);
    return { error, error_description: input.message ?? STATUS_CODES[status] ?? 'Error' };
  }
  if (status === 401 && input.reason === undefined && input.message === undefined) {
    return unauthenticatedBody();
  }
  const reason = input.reason ?? defaultApiReason(status);
  const message = input.message ?? REASON_MESSAGES[reason] ?? STATUS_CODES[status] ?? 'Error';
  return googleErrorBody(status, reason, message);
}

/** Must run after the caller is identified and the body parsed (account matching needs both). */
export function injectFaults(state: SandboxState, surface: FaultSurface): RequestHandler {
  return injectSharedFaults(state, {
    accountOf: (req) => requestContext(req).account,
    body: (input, status) => faultBody(surface, input, status),
  });
}
