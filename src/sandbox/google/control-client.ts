import type {
  AuthorizeInput,
  FaultRuleInput,
  FaultRuleView,
  GoogleEventInput,
  GoogleEventResource,
  JsonObject,
  SandboxConfig,
  SandboxStats,
} from './types';

// A typed client for the sandbox's /sandbox control API (tests, CLI, README tour).
// Uses global fetch only, so it can run anywhere the service runs.

export class GoogleSandboxControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'GoogleSandboxControlError';
  }
}

export class GoogleSandboxControl {
  private readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const response = await fetch(`${this.baseUrl}/sandbox${path}`, init);
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      throw new GoogleSandboxControlError(
        response.status,
        parsed,
        `Google sandbox control ${method} ${path} failed with ${response.status}: ${text}`,
      );
    }
    return parsed as T;
  }

  private account(email: string): string {
    return `/accounts/${encodeURIComponent(email)}`;
  }

  createAccount(email: string): Promise<{ email: string }> {
    return this.call('POST', '/accounts', { email });
  }

  /** What clicking "Allow" on the consent page does; returns the authorization code. */
  authorize(input: AuthorizeInput): Promise<{ code: string }> {
    return this.call('POST', '/authorizations', input);
  }

  /** Every access token the account holds now answers 401, as if it had expired. */
  async expireAccessTokens(email: string): Promise<void> {
    await this.call('POST', `${this.account(email)}/expire-access-tokens`);
  }

  /** Revokes all the account's grants: the next refresh gets invalid_grant. */
  async revoke(email: string): Promise<void> {
    await this.call('POST', `${this.account(email)}/revoke`);
  }

  /** The next incremental sync of this account's calendar gets 410 fullSyncRequired. */
  async invalidateSyncTokens(email: string): Promise<void> {
    await this.call('POST', `${this.account(email)}/invalidate-sync-tokens`);
  }

  async listEvents(email: string, options: { showDeleted?: boolean } = {}): Promise<GoogleEventResource[]> {
    const query = options.showDeleted ? '?showDeleted=true' : '';
    const result = await this.call<{ items: GoogleEventResource[] }>('GET', `${this.account(email)}/events${query}`);
    return result.items;
  }

  /** An event "the user" creates in their own calendar. */
  createUserEvent(email: string, event: GoogleEventInput): Promise<GoogleEventResource> {
    return this.call('POST', `${this.account(email)}/events`, event);
  }

  /** "The user" edits an event (patch semantics; null clears a field). */
  updateUserEvent(email: string, eventId: string, patch: JsonObject): Promise<GoogleEventResource> {
    return this.call('PATCH', `${this.account(email)}/events/${encodeURIComponent(eventId)}`, patch);
  }

  /** "The user" deletes an event (it becomes cancelled). */
  async deleteUserEvent(email: string, eventId: string): Promise<void> {
    await this.call('DELETE', `${this.account(email)}/events/${encodeURIComponent(eventId)}`);
  }

  stats(): Promise<SandboxStats> {
    return this.call('GET', '/stats');
  }

  configure(config: Partial<SandboxConfig>): Promise<SandboxConfig> {
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

  /** Forgets accounts, tokens, events, faults, stats and configuration changes. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }
}
