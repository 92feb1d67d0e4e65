import { STATUS_CODES } from 'node:http';
import type { RequestHandler } from 'express';
import { injectFaults as injectSharedFaults } from '../shared/faults';
import type { FaultRuleInput } from '../shared/types';
import { requestContext, requestIds } from './context';
import { aadErrorBody, graphErrorBody, graphErrors, type RequestIds } from './errors';
import type { MicrosoftSandboxState } from './state';

// Microsoft's error bodies for injected faults; the engine itself is ../shared/faults.
// `reason` is a Graph error code on Graph and an OAuth `error` on the token endpoint.

export type FaultSurface = 'graph' | 'token';

const GRAPH_CODES: Record<number, [code: string, message: string]> = {
  400: ['BadRequest', 'Bad request.'],
  403: ['ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
  404: ['ResourceNotFound', 'The specified object was not found in the store.'],
  409: ['ErrorConflict', 'Conflict.'],
  410: ['SyncStateNotFound', 'The sync state is no longer valid. Start a full synchronization.'],
  412: ['ErrorIrresolvableConflict', 'The change key passed in the request does not match the current change key for the item.'],
  429: ['TooManyRequests', 'Too many requests. Retry after the number of seconds in the Retry-After header.'],
  500: ['InternalServerError', 'An internal server error occurred.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['ServiceNotAvailable', 'The service is temporarily unavailable. Retry after the number of seconds in the Retry-After header.'],
  504: ['GatewayTimeout', 'The gateway timed out.'],
};

function graphFaultBody(input: FaultRuleInput, status: number, ids: RequestIds): unknown {
  if (status === 401 && input.reason === undefined && input.message === undefined) {
    const invalid = graphErrors.invalidToken();
    return graphErrorBody(invalid.code, invalid.message, ids);
  }
  const [code, message] = GRAPH_CODES[status] ?? [status >= 500 ? 'UnknownError' : 'BadRequest', STATUS_CODES[status] ?? 'Error'];
  return graphErrorBody(input.reason ?? code, input.message ?? message, ids);
}

const AAD_FAULTS: Record<number, [error: string, code: number, message: string]> = {
  401: ['invalid_client', 7000215, 'Invalid client secret provided.'],
  429: ['temporarily_unavailable', 90055, 'There are too many incoming requests. Please try again later.'],
  500: ['server_error', 90033, 'A transient error has occurred. Please try again.'],
  503: ['temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.'],
  504: ['temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.'],
};

function tokenFaultBody(input: FaultRuleInput, status: number, ids: RequestIds): unknown {
  const [error, code, message] =
    AAD_FAULTS[status] ??
    (status >= 500
      ? ['server_error', 90033, 'A transient error has occurred. Please try again.']
      : ['invalid_request', 9002313, 'Invalid request. Request is malformed or invalid.']);
  return aadErrorBody(input.reason ?? error, [code], input.message ?? message, ids);
}

/** Must run after the caller is identified and the request ids assigned. */
export function injectFaults(state: MicrosoftSandboxState, surface: FaultSurface): RequestHandler {
  return injectSharedFaults(state, {
    accountOf: (req) => requestContext(req).account,
    body: (input, status, req) =>
      surface === 'graph' ? graphFaultBody(input, status, requestIds(req)) : tokenFaultBody(input, status, requestIds(req)),
    // Graph always says when to come back from a 429; so does the sandbox unless told otherwise.
    defaultRetryAfterSeconds: (status) => (status === 429 ? 1 : undefined),
  });
}
