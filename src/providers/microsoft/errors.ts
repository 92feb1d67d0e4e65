import { GraphError } from '@microsoft/microsoft-graph-client';
import { parseRetryAfter } from '../retry-after';
import { ProviderError, type ProviderErrorKind } from '../types';

/** Exchange codes about the mailbox itself, not the request: inactive, soft-deleted, disabled. */
const ACCOUNT_DISABLED_CODES = new Set(['MailboxNotEnabledForRESTAPI', 'ErrorAccountDisabled', 'MailboxInactive']);

function kindFor(status: number, code: string | null | undefined): ProviderErrorKind {
  if (code && ACCOUNT_DISABLED_CODES.has(code) && status >= 400 && status < 500 && status !== 429) return 'account_disabled';
  if (status === 401) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 412) return 'precondition_failed';
  if (status === 408 || status >= 500 || status <= 0) return 'transient';
  return 'rejected';
}

/**
 * Any Graph failure as a typed ProviderError: the status, Graph's error code and message only
 * (never the request, which carries the token). 503/504 honour Retry-After like 429 does.
 */
export function toProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof GraphError) {
    const status = err.statusCode;
    const retryAfterMs = parseRetryAfter(err.headers?.get('retry-after'));
    const message = `Microsoft Graph ${status > 0 ? status : 'unreachable'}${err.code ? ` ${err.code}` : ''}: ${(err.message ?? '').slice(0, 300)}`;
    return new ProviderError(kindFor(status, err.code), message, {
      status: status > 0 ? status : undefined,
      reason: err.code ?? undefined,
      retryAfterMs,
    });
  }
  const code = (err as { code?: unknown; name?: unknown } | undefined)?.code ?? (err as { name?: unknown } | undefined)?.name;
  const shown = typeof code === 'string' || typeof code === 'number' ? code : 'error';
  return new ProviderError('transient', `Microsoft Graph unreachable (${shown})`);
}
