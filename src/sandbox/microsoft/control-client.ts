import { SandboxControlClient, SandboxControlError } from '../shared/control-client';
import type {
  MicrosoftAccountView,
  MicrosoftAuthorizeInput,
  MicrosoftSandboxConfig,
  MicrosoftSandboxStats,
} from './types';

// A typed client for the Microsoft sandbox's /sandbox control API (tests, CLI, README
// tour). Method names match GoogleSandboxControl where they mean the same; the generic
// calls (expireAccessTokens, revoke, stats, getConfig, configure, faults, reset) live
// in the shared base.

export class MicrosoftSandboxControlError extends SandboxControlError {
  constructor(status: number, body: unknown, message: string) {
    super(status, body, message);
    this.name = 'MicrosoftSandboxControlError';
  }
}

export class MicrosoftSandboxControl extends SandboxControlClient<MicrosoftSandboxStats, MicrosoftSandboxConfig> {
  constructor(baseUrl: string) {
    super(baseUrl, 'Microsoft sandbox', (status, body, message) => new MicrosoftSandboxControlError(status, body, message));
  }

  /** Creates the account (or renames it when `displayName` is given). */
  createAccount(email: string, displayName?: string): Promise<MicrosoftAccountView> {
    return this.call('POST', '/accounts', displayName === undefined ? { email } : { email, displayName });
  }

  getAccount(email: string): Promise<MicrosoftAccountView> {
    return this.call('GET', this.account(email));
  }

  /** What clicking "Accept" on the consent page does; returns the authorization code. */
  authorize(input: MicrosoftAuthorizeInput): Promise<{ code: string }> {
    return this.call('POST', '/authorizations', input);
  }

  /** Every refresh token of the account now gets invalid_grant AADSTS700082, as after 90 idle days. */
  async expireRefreshTokens(email: string): Promise<void> {
    await this.call('POST', `${this.account(email)}/expire-refresh-tokens`);
  }
}
