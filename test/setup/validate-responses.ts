import { createOpenApiValidator, type OpenApiValidator } from '../support/openapi-validator';
import { isServiceOrigin } from '../support/service-origins';

// Every answer an end-to-end test gets from a service under test (an origin in
// service-origins.ts) is checked against the OpenAPI document: an answer the document does not
// describe rejects the fetch, so the test fails with what differed.

const WRAPPED = Symbol.for('calsync.test.fetchValidated');

let validator: OpenApiValidator | undefined;

function requestMethod(input: Parameters<typeof fetch>[0], init?: RequestInit): string {
  return (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
}

async function parsedBody(response: Response): Promise<unknown> {
  const text = await response.clone().text();
  if (text === '') return undefined;
  const media = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (media !== 'application/json' && !media.endsWith('+json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON though it says so: the schema check reports the text.
    return text;
  }
}

const original = globalThis.fetch as typeof fetch & { [WRAPPED]?: true };
if (!original[WRAPPED]) {
  const validated = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const response = await original(input, init);
    // The answer's own URL: after followed redirects it is the last one (then fetched with GET,
    // as a 301/302/303 turns into); a redirect to another origin leaves nothing to check.
    if (!isServiceOrigin(response.url)) return response;
    const url = new URL(response.url);
    const method = response.redirected ? 'GET' : requestMethod(input, init);
    validator ??= createOpenApiValidator();
    const result = validator.validate({
      method,
      path: url.pathname,
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: await parsedBody(response),
    });
    if (!result.ok) throw new Error(`the answer does not match the OpenAPI document: ${result.message}`);
    return response;
  };
  globalThis.fetch = Object.assign(validated, { [WRAPPED]: true as const });
}
