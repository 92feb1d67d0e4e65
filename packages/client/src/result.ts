/** openapi-fetch's `request`, seen without the paths' types (the operation table chooses the path). */
export type LooseRequest = (
  method: string,
  path: string,
  init: Record<string, unknown>,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

export interface ApiResult {
  status: number;
  /** JSON parsed when it is JSON, else the text; `undefined` when empty. */
  body: unknown;
  headers: Headers;
}

/** An answer read as text (`parseAs: 'text'`) as `{status, body, headers}`, whatever its status. */
export function resultOf(answer: { data?: unknown; error?: unknown; response: Response }): ApiResult {
  const { response } = answer;
  // openapi-fetch has already parsed error bodies that are JSON; success bodies come as text.
  const raw = response.ok ? answer.data : answer.error;
  return { status: response.status, body: response.ok ? parsed(raw) : raw === '' ? undefined : raw, headers: response.headers };
}

function parsed(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // Pages, feeds and metrics are text.
    return raw;
  }
}
