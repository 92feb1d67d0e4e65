import { createClient, type CalsyncClient, type CallInit, type OperationId, type OperationResult } from 'calsync-client';
import { sleep } from '../dev/child-processes';

/** Any operation's answer, seen without its types. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** An operation's answer, or status 0 when the request never got one (network error, timeout). */
export type OperationAnswer<I extends OperationId> = OperationResult<I> | { status: 0; body: undefined };

/** A booking system would repeat these: network errors and 5xx (the API restarting, Temporal down). */
const answered = (a: { status: number }) => a.status > 0 && a.status < 500;

const backoffMs = (attempt: number) => Math.min(2_000, 100 * 2 ** Math.min(attempt, 5));

/** The booking system's side, over the typed client with the API key; network failures are status 0. */
export class ServiceApiClient {
  readonly client: CalsyncClient;

  constructor(
    readonly baseUrl: string,
    apiKey: string,
  ) {
    this.client = createClient({ baseUrl, apiKey, timeoutMs: 30_000 });
  }

  /** One operation by its operationId. */
  async operation<I extends OperationId>(operationId: I, init: CallInit<I>): Promise<OperationAnswer<I>> {
    // `call`'s rest parameter makes `init` optional where nothing is required; here it is always given.
    const call = this.client.call as (id: I, init: CallInit<I>) => Promise<OperationResult<I>>;
    try {
      return await call(operationId, init);
    } catch {
      return { status: 0, body: undefined };
    }
  }

  /** Repeats an operation until `until` accepts its answer (by default: any answer but a 5xx). */
  async operationUntilAnswered<I extends OperationId>(
    operationId: I,
    init: CallInit<I>,
    until: (a: OperationAnswer<I>) => boolean = answered,
  ): Promise<OperationAnswer<I>> {
    for (let attempt = 0; ; attempt++) {
      const answer = await this.operation(operationId, init);
      if (until(answer)) return answer;
      await sleep(backoffMs(attempt));
    }
  }
}
