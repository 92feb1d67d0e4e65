import { parseRetryAfter } from '../retry-after';
import { ProviderError, type ProviderErrorKind } from '../types';

interface GoogleErrorBody {
  error?: { code?: number; message?: string; errors?: Array<{ reason?: string }> } | string;
  error_description?: string;
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const QUOTA_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded']);
/** 403 reasons about the account, not the request: its Calendar service is off (a suspended user, an admin's switch). */
const ACCOUNT_DISABLED_REASONS = new Set(['notACalendarUser']);

function headerValue(headers: unknown, name: string): string | undefined {
  if (headers && typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  if (headers && typeof headers === 'object') {
    const v = (headers as Record<string, unknown>)[name];
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/** gaxios errors carry the HTTP response; duck-typed so a second copy of gaxios still matches. */
function responseOf(err: unknown): { status: number; data?: unknown; statusText?: string; headers?: unknown } | undefined {
  const response = (err as { response?: { status?: unknown } } | undefined)?.response;
  return response && typeof response.status === 'number'
    ? (response as { status: number; data?: unknown; statusText?: string; headers?: unknown })
    : undefined;
}

function kindFor(status: number, reason: string | undefined): ProviderErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 429 || (status === 403 && reason !== undefined && RATE_LIMIT_REASONS.has(reason))) return 'rate_limited';
  if (status === 403 && reason !== undefined && QUOTA_REASONS.has(reason)) return 'quota_exceeded';
  if (status === 403 && reason !== undefined && ACCOUNT_DISABLED_REASONS.has(reason)) return 'account_disabled';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 412) return 'precondition_failed';
  if (status === 408 || status >= 500) return 'transient';
  return 'rejected';
}

/**
 * Turns anything the Google client threw into a typed ProviderError. Only the status, Google's
 * reason and its message are kept: the request (with its Authorization header) is dropped.
 */
export function toProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const response = responseOf(err);
  if (response) {
    const status = response.status;
    const body = response.data as GoogleErrorBody | undefined;
    const inner = typeof body?.error === 'object' ? body.error : undefined;
    const reason = inner?.errors?.[0]?.reason ?? (typeof body?.error === 'string' ? body.error : undefined);
    const message = (inner?.message ?? body?.error_description ?? response.statusText ?? '').slice(0, 300);
    return new ProviderError(kindFor(status, reason), `Google Calendar ${status}${reason ? ` ${reason}` : ''}: ${message}`, {
      status,
      reason,
      retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after')),
    });
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  const name = err instanceof Error ? err.name : 'Error';
  const shown = typeof code === 'string' || typeof code === 'number' ? code : name;
  return new ProviderError('transient', `Google Calendar unreachable (${shown})`);
}
