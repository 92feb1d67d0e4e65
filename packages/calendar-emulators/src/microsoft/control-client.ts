import { SandboxControlClient, SandboxControlError } from '../shared/control-client';
import type {
  CreateMicrosoftCalendarInput,
  GraphCalendar,
  GraphEvent,
  GraphEventInput,
  JsonObject,
  MicrosoftAccountView,
  MicrosoftAuthorizeInput,
  MicrosoftLifecycleEventInput,
  MicrosoftLifecycleEventResult,
  MicrosoftSandboxConfig,
  MicrosoftSandboxStats,
  MicrosoftSubscriptionView,
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

/** Which calendar of the mailbox a control call is about; absent means the default calendar. */
export interface MicrosoftCalendarOption {
  calendarId?: string;
}

export class MicrosoftSandboxControl extends SandboxControlClient<MicrosoftSandboxStats, MicrosoftSandboxConfig> {
  constructor(baseUrl: string) {
    super(baseUrl, 'Microsoft sandbox', (status, body, message) => new MicrosoftSandboxControlError(status, body, message));
  }

  /** Creates the account (or renames it when `displayName` is given). */
  /** `directory`: the account's Graph `mail` (a tenant sets it freely) and tenant id (`tid`). */
  createAccount(email: string, displayName?: string, directory: { mail?: string; tenantId?: string } = {}): Promise<MicrosoftAccountView> {
    return this.call('POST', '/accounts', { email, ...(displayName === undefined ? {} : { displayName }), ...directory });
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

  /** Another calendar of the mailbox (`canEdit: false`: visible to the user, Graph writes get 403 ErrorAccessDenied). */
  createCalendar(email: string, input: CreateMicrosoftCalendarInput): Promise<GraphCalendar> {
    return this.call('POST', `${this.account(email)}/calendars`, input);
  }

  /** The calendar's owner changes the account's rights on a calendar other than the default (`canEdit: false`: writes get 403 ErrorAccessDenied). */
  setCalendarAccess(email: string, calendarId: string, canEdit: boolean): Promise<GraphCalendar> {
    return this.call('PATCH', `${this.account(email)}/calendars/${encodeURIComponent(calendarId)}`, { canEdit });
  }

  /** Disables the account (every mailbox call gets 404 MailboxNotEnabledForRESTAPI) or enables it again. */
  async setAccountDisabled(email: string, disabled: boolean): Promise<void> {
    await this.call('PUT', `${this.account(email)}/disabled`, { disabled });
  }

  /** The mailbox's calendars: the default one first, then the others in creation order. */
  async listCalendars(email: string): Promise<GraphCalendar[]> {
    const result = await this.call<{ value: GraphCalendar[] }>('GET', `${this.account(email)}/calendars`);
    return result.value;
  }

  /** Every event of a calendar, in creation order, times in UTC, with all extended properties. */
  async listEvents(email: string, options: MicrosoftCalendarOption = {}): Promise<GraphEvent[]> {
    const query = options.calendarId === undefined ? '' : `?${new URLSearchParams({ calendarId: options.calendarId }).toString()}`;
    const result = await this.call<{ value: GraphEvent[] }>('GET', `${this.account(email)}/events${query}`);
    return result.value;
  }

  /** An event "the user" creates (validated like POST /me/events; canEdit does not apply). */
  createUserEvent(email: string, event: GraphEventInput, options: MicrosoftCalendarOption = {}): Promise<GraphEvent> {
    const body = options.calendarId === undefined ? event : { ...event, calendarId: options.calendarId };
    return this.call('POST', `${this.account(email)}/events`, body);
  }

  /** "The user" edits an event (PATCH semantics; event ids are mailbox-wide). */
  updateUserEvent(email: string, eventId: string, patch: Partial<GraphEventInput> | JsonObject): Promise<GraphEvent> {
    return this.call('PATCH', `${this.account(email)}/events/${encodeURIComponent(eventId)}`, patch);
  }

  /** "The user" deletes an event: it is gone, and delta reports it as @removed. */
  async deleteUserEvent(email: string, eventId: string): Promise<void> {
    await this.call('DELETE', `${this.account(email)}/events/${encodeURIComponent(eventId)}`);
  }

  /** Every delta (and skip) token of the mailbox now gets 410 SyncStateNotFound. */
  async invalidateDeltaTokens(email: string): Promise<void> {
    await this.call('POST', `${this.account(email)}/invalidate-delta-tokens`);
  }

  /** Change-notification subscriptions (ended ones too) with their delivery counts; `account` narrows to one mailbox. */
  async listSubscriptions(options: { account?: string } = {}): Promise<MicrosoftSubscriptionView[]> {
    const query = options.account === undefined ? '' : `?${new URLSearchParams({ account: options.account }).toString()}`;
    const result = await this.call<{ value: MicrosoftSubscriptionView[] }>('GET', `/subscriptions${query}`);
    return result.value;
  }

  getSubscription(subscriptionId: string): Promise<MicrosoftSubscriptionView> {
    return this.call('GET', this.subscription(subscriptionId));
  }

  /** The subscription expires now: Graph no longer shows it and it sends nothing more. */
  expireSubscription(subscriptionId: string): Promise<MicrosoftSubscriptionView> {
    return this.call('POST', `${this.subscription(subscriptionId)}/expire`);
  }

  /** Plays Graph's part in a subscription's lifecycle; the notification goes to its lifecycleNotificationUrl, if any. */
  triggerLifecycleEvent(subscriptionId: string, input: MicrosoftLifecycleEventInput): Promise<MicrosoftLifecycleEventResult> {
    return this.call('POST', `${this.subscription(subscriptionId)}/lifecycle`, input);
  }

  /**
   * `reauthorizationRequired`; with `pauseNotifications`, change notifications are lost
   * until the app calls POST /subscriptions/{id}/reauthorize or renews the subscription.
   */
  requireReauthorization(subscriptionId: string, options: { pauseNotifications?: boolean } = {}): Promise<MicrosoftLifecycleEventResult> {
    return this.triggerLifecycleEvent(subscriptionId, { lifecycleEvent: 'reauthorizationRequired', ...options });
  }

  /** `subscriptionRemoved`: the subscription is gone (404 through Graph) and sends nothing more. */
  removeSubscription(subscriptionId: string): Promise<MicrosoftLifecycleEventResult> {
    return this.triggerLifecycleEvent(subscriptionId, { lifecycleEvent: 'subscriptionRemoved' });
  }

  /** `missed`: tells the app that notifications were lost and it should resynchronize. */
  reportMissedNotifications(subscriptionId: string): Promise<MicrosoftLifecycleEventResult> {
    return this.triggerLifecycleEvent(subscriptionId, { lifecycleEvent: 'missed' });
  }

  private subscription(subscriptionId: string): string {
    return `/subscriptions/${encodeURIComponent(subscriptionId)}`;
  }
}
