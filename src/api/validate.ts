import type { Request } from 'express';
import type { z } from 'zod';
import { ApiError, validationError } from './errors';

/** Parses the JSON body with a schema; anything else is a 4xx with an actionable message. */
export function parseBody<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const hasBody = (req.headers['content-length'] ?? '0') !== '0' || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  const result = schema.safeParse(hasBody ? req.body : {});
  if (!result.success) throw validationError(result.error, 'body');
  return result.data;
}

export function parseParam<S extends z.ZodType>(value: unknown, schema: S): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, 'path');
  return result.data;
}
