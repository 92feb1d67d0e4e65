import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';
import { PersonalDataUnavailableError } from '../db/booking-personal-data';
import { isDatabaseUnavailable } from '../db/unavailable';
import type { Logger } from '../logging';
import { redactPath } from './access-log';
import { isTemporalUnavailable } from '../temporal/unavailable';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TITLES, problemType, type FieldError, type ProblemBody, type ProblemCode } from './problem';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    /** Field errors of an invalid request. */
    readonly details?: FieldError[],
    /** Seconds after which a retry may succeed, sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The RFC 9457 body; `error` is the deprecated pre-RFC 9457 shape, kept for one release. */
  toProblem(publicBaseUrl: string, requestId?: string): ProblemBody {
    const errors = this.details === undefined ? {} : { errors: this.details };
    return {
      type: problemType(publicBaseUrl, this.code),
      title: PROBLEM_TITLES[this.code],
      status: this.status,
      detail: this.message,
      ...(requestId === undefined ? {} : { instance: requestId }),
      code: this.code,
      ...errors,
      error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) },
    };
  }
}

export function validationError(err: ZodError, where: 'body' | 'path' | 'query'): ApiError {
  const details = err.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  const first = details[0];
  return new ApiError(400, 'invalid_request', first ? `${first.path}: ${first.message}` : 'invalid request', details);
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

interface BodyParserError {
  type?: string;
  status?: number;
}

/** How long a client should wait before retrying when a dependency is down: long enough for a restart or failover. */
const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** A dependency outage as the client sees it: 503 with a stable code, retry later; undefined for anything else. */
function outageError(err: unknown): ApiError | undefined {
  if (isTemporalUnavailable(err))
    return new ApiError(
      503,
      'temporal_unavailable',
      'the workflow engine is unavailable; retry later',
      undefined,
      OUTAGE_RETRY_AFTER_SECONDS,
    );
  if (isDatabaseUnavailable(err))
    return new ApiError(503, 'database_unavailable', 'the database is unavailable; retry later', undefined, OUTAGE_RETRY_AFTER_SECONDS);
  return undefined;
}

/** A booking whose sealed personal data cannot be opened: named by id, nothing of its content. */
function personalDataError(err: PersonalDataUnavailableError): ApiError {
  return new ApiError(
    503,
    err.code,
    `booking ${err.bookingId} cannot be shown: its personal data is sealed under a key this service does not have (ENCRYPTION_KEYS)`,
  );
}

/**
 * Turns anything thrown in a route into a problem details body (`application/problem+json`, also
 * to clients that accept only `application/json`: it is JSON); hides internals on 5xx.
 * `publicBaseUrl` is where the problem type URIs point.
 */
export function errorHandler(logger: Logger, publicBaseUrl: string): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let apiError: ApiError;
    const parserType = (err as BodyParserError).type;
    const outage = err instanceof ApiError ? undefined : outageError(err);
    if (err instanceof ApiError) apiError = err;
    else if (err instanceof PersonalDataUnavailableError) {
      // The operator's to fix (a key removed from ENCRYPTION_KEYS too early): logged with the booking and key ids.
      logger.warn(
        { requestId: req.id, code: err.code, bookingId: err.bookingId, reason: err.message },
        'booking personal data unavailable',
      );
      apiError = personalDataError(err);
    } else if (outage) {
      logger.warn({ requestId: req.id, code: outage.code, method: req.method, path: redactPath(req.path) }, 'dependency unavailable');
      apiError = outage;
    } else if (parserType === 'entity.too.large') apiError = new ApiError(413, 'payload_too_large', 'request body is too large');
    else if (parserType === 'entity.parse.failed') apiError = new ApiError(400, 'invalid_json', 'request body is not valid JSON');
    else if (parserType === 'charset.unsupported' || parserType === 'encoding.unsupported') {
      apiError = new ApiError(415, 'unsupported_media_type', 'request body must be UTF-8 JSON');
    } else {
      logger.error(
        {
          requestId: req.id,
          err: err instanceof Error ? { name: err.name, message: err.message } : String(err),
          method: req.method,
          path: redactPath(req.path),
        },
        'request failed',
      );
      apiError = new ApiError(500, 'internal', 'internal error');
    }
    if (apiError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(apiError.retryAfterSeconds));
    const requestId = typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : undefined;
    res
      .status(apiError.status)
      .set('Content-Type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(apiError.toProblem(publicBaseUrl, requestId)));
  };
}
