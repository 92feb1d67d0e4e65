import { parseRetryAfter } from '../retry-after';
import { ProviderError, type ProviderErrorKind } from '../types';

function kindFor(status: number): ProviderErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 412) return 'precondition_failed';
  if (status === 408 || status >= 500) return 'transient';
  return 'rejected';
}

/** tsdav hands back raw Responses and does not throw on 4xx: every status is checked here. */
export function checkResponse(res: Response, what: string): void {
  if (res.ok) return;
  throw new ProviderError(kindFor(res.status), `CalDAV ${what} answered ${res.status} ${res.statusText}`.trim(), {
    status: res.status,
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  });
}
