import type { FaultRuleInput, FaultRuleView } from './types';

// The part of a typed /sandbox control client every emulator shares. Uses global
// fetch only, so it can run anywhere the service runs.

export class SandboxControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxControlError';
  }
}

export type ControlErrorFactory = (status: number, body: unknown, message: string) => SandboxControlError;

export abstract class SandboxControlClient<Stats, Config> {
  protected readonly baseUrl: string;

  /**
   * @param label   names the emulator in error messages ("Google sandbox").
   * @param failure builds the error thrown for a non-2xx answer.
   */
  protected constructor(
    baseUrl: string,
    private readonly label: string,
    private readonly failure: ControlErrorFactory,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  protected async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const response = await fetch(`${this.baseUrl}/sandbox${path}`, init);
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      throw this.failure(response.status, parsed, `${this.label} control ${method} ${path} failed with ${response.status}: ${text}`);
    }
    return parsed as T;
  }

  protected account(email: string): string {
    return `/accounts/${encodeURIComponent(email)}`;
  }

  /** Every access token the account holds now answers 401, as if it had expired. */
  async expireAccessTokens(email: string): Promise<void> {
    await this.call('POST', `${this.account(email)}/expire-access-tokens`);
  }

  /** Revokes all the account's grants: the next refresh gets invalid_grant. */
  async revoke(email: string): Promise<void> {
    await this.call('POST', `${this.account(email)}/revoke`);
  }

  stats(): Promise<Stats> {
    return this.call('GET', '/stats');
  }

  getConfig(): Promise<Config> {
    return this.call('GET', '/config');
  }

  configure(config: Partial<Config>): Promise<Config> {
    return this.call('POST', '/config', config);
  }

  addFault(rule: FaultRuleInput): Promise<{ id: string }> {
    return this.call('POST', '/faults', rule);
  }

  async listFaults(): Promise<FaultRuleView[]> {
    const result = await this.call<{ faults: FaultRuleView[] }>('GET', '/faults');
    return result.faults;
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }

  /** Forgets accounts, tokens, faults, stats and configuration changes. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }
}
