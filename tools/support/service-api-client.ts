import { sleep } from '../dev/child-processes';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The booking system's side: JSON over HTTP with the API key; network failures are status 0. */
export class ServiceApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: res.status, body: parsed };
    } catch {
      return { status: 0, body: undefined };
    }
  }

  /** Retries what a booking system would retry: network errors and 5xx (the API restarting, Temporal down). */
  async callUntilAnswered(
    method: string,
    path: string,
    body?: unknown,
    until = (a: ApiAnswer) => a.status > 0 && a.status < 500,
  ): Promise<ApiAnswer> {
    for (let attempt = 0; ; attempt++) {
      const answer = await this.call(method, path, body);
      if (until(answer)) return answer;
      await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }
}
