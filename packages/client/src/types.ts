import type { ParamsOption, RequestBodyOption } from 'openapi-fetch';
import type { OPERATIONS } from './operations';
import type { components, operations, webhooks } from './schema';

// Request and response types by operationId, from the generated `operations`.

/** The API's operations (the document's `webhooks` have operationIds too: requests this service sends, not takes). */
export type OperationId = keyof operations & keyof typeof OPERATIONS;

/** The error body of every problem-details answer (`application/problem+json`). */
export type Problem = components['schemas']['Problem'];

type Responses<I extends OperationId> = operations[I]['responses'];
/** The statuses the document lists for an operation. */
export type OperationStatus<I extends OperationId> = keyof Responses<I> & number;
type SuccessStatus<I extends OperationId> = {
  [S in OperationStatus<I>]: `${S}` extends `2${string}` ? S : never;
}[OperationStatus<I>];

/** A response object's body: the schema of its media type, or `unknown` when it names none. */
type ContentOf<R> = R extends { content: infer C } ? (C extends Record<string, infer B> ? B : unknown) : unknown;

/** The body of an operation's answer with status `S` (by default: any of its successes). */
export type ResponseBody<I extends OperationId, S extends OperationStatus<I> = SuccessStatus<I>> = ContentOf<Responses<I>[S]>;

/** The JSON body an operation takes (`never` when it takes none). */
export type RequestBody<I extends OperationId> =
  Exclude<operations[I]['requestBody'], undefined> extends infer R
    ? [R] extends [never]
      ? never
      : R extends { content: { 'application/json': infer B } }
        ? B
        : never
    : never;

/** What `call` takes: path and query parameters and the body, each required when the operation requires it. */
export type CallInit<I extends OperationId> = ParamsOption<operations[I]> &
  RequestBodyOption<operations[I]> & { headers?: Record<string, string> };

/**
 * What `call` answers, one member per documented status so that checking `status` narrows `body`.
 * A status the document does not list (a proxy's 502, say) still comes back, typed as the nearest member.
 */
export type OperationResult<I extends OperationId> = {
  [S in OperationStatus<I>]: { status: S; body: ContentOf<Responses<I>[S]>; headers: Headers };
}[OperationStatus<I>];

/** The shape every notification has, until the document describes each one under `webhooks`. */
export interface GenericNotification {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

type WebhookPayload<W> = W extends { post: { requestBody?: infer R } }
  ? Exclude<R, undefined> extends { content: { 'application/json': infer B } }
    ? B
    : never
  : never;

/** The union of a `webhooks` type's JSON payloads, or the generic shape while it names none. */
export type NotificationOf<W> = string extends keyof W ? GenericNotification : WebhookPayload<W[keyof W]>;

/** A notification the service sends to NOTIFY_URL: the union of the document's `webhooks` payloads. */
export type Notification = NotificationOf<webhooks>;
