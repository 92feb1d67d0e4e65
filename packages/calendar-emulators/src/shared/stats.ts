import type { Request, RequestHandler } from 'express';

/**
 * Counts a request to an emulated provider surface, in total and for the account it
 * acts for (`statsOf` finds that account's counters); run after the caller is identified.
 */
export function countRequests(state: { requests: number }, statsOf: (req: Request) => { requests: number } | undefined): RequestHandler {
  return (req, _res, next) => {
    state.requests += 1;
    const stats = statsOf(req);
    if (stats) stats.requests += 1;
    next();
  };
}
