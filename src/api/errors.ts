import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';
import type { Logger } from '../logging';

/** The documented error body: `{"error":{"code","message","details"}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
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

/** Turns anything thrown in a route into the documented error body; hides internals on 5xx. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let apiError: ApiError;
    const parserType = (err as BodyParserError).type;
    if (err instanceof ApiError) apiError = err;
    else if (parserType === 'entity.too.large') apiError = new ApiError(413, 'payload_too_large', 'request body is too large');
    else if (parserType === 'entity.parse.failed') apiError = new ApiError(400, 'invalid_json', 'request body is not valid JSON');
    else if (parserType === 'charset.unsupported' || parserType === 'encoding.unsupported') {
      apiError = new ApiError(415, 'unsupported_media_type', 'request body must be UTF-8 JSON');
    } else {
      logger.error(
        { err: err instanceof Error ? { name: err.name, message: err.message } : String(err), method: req.method, path: req.path },
        'request failed',
      );
      apiError = new ApiError(500, 'internal', 'internal error');
    }
    res.status(apiError.status).json(apiError.toBody());
  };
}
