import { SandboxControlClient, SandboxControlError } from '../shared/control-client';
import type {
  AuthorizeInput,
  GoogleEventInput,
  GoogleEventResource,
  JsonObject,
  SandboxConfig,
  SandboxStats,
} from './types';

// A typed client for the sandbox's /sandbox control API (tests, CLI, README tour).
// The generic calls (tokens, stats, config, faults, reset) live in the shared base.

export class GoogleSandboxControlError extends SandboxControlError {
  constructor(status: number, body: unknown, message: string) {
    super(status, body, message);
    this.name = 'GoogleSandboxControlError';
  }
}

export class GoogleSandboxControl extends SandboxControlClient<SandboxStats, SandboxConfig> {
  constructor(baseUrl: string) {
    super(baseUrl, 'Google sandbox', (status, body, message) => new GoogleSandboxControlError(status, body, message));
  }

  createAccount(email: string): Promise<{ email: string }> {
    return this.call('POST', '/accounts', { email });
  }

  /** What clicking "Allow" on the consent page does; returns the authorization code. */
  authorize(input: AuthorizeInput): Promise<{ code: string }> {
    return this.call('POST', '/authorizations', input);
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
}
