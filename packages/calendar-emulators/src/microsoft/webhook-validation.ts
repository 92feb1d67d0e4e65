import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { GraphApiError } from './errors';

// The handshake Graph makes before it creates a subscription (or accepts a new
// notificationUrl): a POST to the URL with `?validationToken=…` (form-encoded: spaces
// as `+`) and an empty text/plain body, which must be answered within 10 seconds with 200,
// Content-Type text/plain and the decoded token as the whole body. Anything else is a 400
// ValidationError and no subscription. Redirects are not followed.

const FAILED = 'Subscription validation request failed.';
const MUST_ANSWER_200 = 'Notification endpoint must respond with 200 OK to validation request.';

const validationError = (message: string): GraphApiError => new GraphApiError(400, 'ValidationError', message);

/** .NET's name of a status (`Forbidden`, `NotFound`, `InternalServerError`), as Graph quotes it. */
function statusName(status: number): string {
  return (STATUS_CODES[status] ?? String(status)).replace(/[^A-Za-z0-9]/g, '');
}

/**
 * Graph's tokens read like a sentence: "Validation: Testing client application reachability
 * for subscription Request-Id: <guid>". Its spaces and colons catch subscribers that
 * echo the raw query string instead of the decoded value.
 */
function newValidationToken(): string {
  return `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
}

/** `url` with the token appended to whatever query it has (which is sent as is). */
function validationUrl(url: string, token: string): string {
  const encoded = encodeURIComponent(token).replace(/%20/g, '+');
  return `${url}${url.includes('?') ? '&' : '?'}validationToken=${encoded}`;
}

function isTimeout(error: unknown, timeout: AbortSignal): boolean {
  return timeout.aborted || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'));
}

/** Resolves when the endpoint answered the handshake correctly; otherwise throws Graph's 400. */
export async function validateNotificationUrl(url: string, timeoutMs: number, shutdown: AbortSignal): Promise<void> {
  const token = newValidationToken();
  const timeout = AbortSignal.timeout(timeoutMs);
  let status: number;
  let contentType: string;
  let body: string;
  try {
    const response = await fetch(validationUrl(url, token), {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: '',
      redirect: 'manual',
      signal: AbortSignal.any([timeout, shutdown]),
    });
    status = response.status;
    contentType = response.headers.get('content-type') ?? '';
    body = await response.text();
  } catch (error) {
    if (isTimeout(error, timeout)) throw validationError('Subscription validation request timed out.');
    throw validationError(`${FAILED} ${MUST_ANSWER_200}`);
  }
  if (status !== 200) throw validationError(`${FAILED} HTTP status code is '${statusName(status)}'. ${MUST_ANSWER_200}`);
  if (!/^text\/plain\b/i.test(contentType.trim())) {
    throw validationError(`${FAILED} Response must have Content-Type 'text/plain'.`);
  }
  if (body !== token) throw validationError(`${FAILED} Response must exactly match validationToken query parameter.`);
}
