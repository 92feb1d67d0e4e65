/** Answers many routes share. */
export const invalid = { 400: 'invalid request: `{error: {code, message, details}}`' };
export const keyed = { 401: 'missing or wrong API key', 429: 'rate limited (`Retry-After`)' };
