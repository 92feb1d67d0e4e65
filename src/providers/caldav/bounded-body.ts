import { CalDavLimitError } from './limits';

function tooLarge(maxBytes: number): CalDavLimitError {
  const size = maxBytes >= 1024 * 1024 ? `${Math.floor(maxBytes / (1024 * 1024))} MB` : `${maxBytes} bytes`;
  return new CalDavLimitError(`a response was larger than ${size}`);
}

/**
 * `res` with its body limited to `maxBytes`: read as a stream, it errors with a limit error (and
 * the connection is dropped) as soon as more arrives, so a huge answer is never held in memory.
 * A declared Content-Length over the limit is refused before anything is read.
 */
export function boundedResponse(res: Response, maxBytes: number): Response {
  if (!res.body) return res;
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    void res.body.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  let seen = 0;
  const limit = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) controller.error(tooLarge(maxBytes));
      else controller.enqueue(chunk);
    },
  });
  const bounded = new Response(res.body.pipeThrough(limit), { status: res.status, statusText: res.statusText, headers: res.headers });
  // Callers (tsdav) may look at where the answer came from.
  Object.defineProperty(bounded, 'url', { value: res.url });
  return bounded;
}

/** `base`, with every response's body limited to `maxBytes`. */
export function boundedFetch(base: typeof fetch, maxBytes: number): typeof fetch {
  return async (input, init) => boundedResponse(await base(input, init), maxBytes);
}
