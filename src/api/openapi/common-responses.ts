/** Answers many routes share (as problem details, see problem-responses.ts). */
export const invalid = { 400: '`invalid_request` (field errors in `errors`), `invalid_json` or `invalid_utf8`' };
export const keyed = { 401: 'missing or wrong API key', 429: 'rate limited (`Retry-After`)' };
/** The error handler's answer when the database or Temporal is down (any route that reaches them). */
export const outage = { 503: '`database_unavailable` or `temporal_unavailable` (`Retry-After`)' };
/** Routes without a body whose path (or query) parameters are validated. */
export const badParams = { 400: '`invalid_request`: a malformed path or query parameter (field errors in `errors`)' };
