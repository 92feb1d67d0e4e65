/** The signal one provider request runs under: its own timeout, and the caller's cancellation when there is one. */
export function requestSignal(timeoutMs: number, cancel?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return cancel ? AbortSignal.any([timeout, cancel]) : timeout;
}
