import type { Client } from 'openapi-fetch';
import { OPERATIONS } from './operations';
import { resultOf, type LooseRequest } from './result';
import type { paths } from './schema';
import type { CallInit, OperationId, OperationResult } from './types';

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/** `call(operationId, {params, body, headers})`: the init may be left out when nothing in it is required. */
export type CallOperation = <I extends OperationId>(
  operationId: I,
  ...init: RequiredKeys<CallInit<I>> extends never ? [init?: CallInit<I>] : [init: CallInit<I>]
) => Promise<OperationResult<I>>;

/**
 * Calls an operation by its operationId through the openapi-fetch client (so its middleware runs).
 * HTTP statuses never throw; network errors and timeouts reject.
 */
export function operationCaller(http: Client<paths>): CallOperation {
  const request = http.request as unknown as LooseRequest;
  return async (operationId, ...[init]) => {
    const { method, path } = OPERATIONS[operationId];
    const answer = await request(method, path, { ...init, parseAs: 'text' });
    return resultOf(answer) as never;
  };
}
