// Public API of the Microsoft identity platform + Graph sandbox.
export { startMicrosoftSandbox, createMicrosoftSandboxState } from './server';
export type { MicrosoftSandboxOptions, RunningMicrosoftSandbox } from './server';
export { createMicrosoftSandboxApp } from './app';
export { MicrosoftSandboxControl, MicrosoftSandboxControlError } from './control-client';
export type { MicrosoftCalendarOption } from './control-client';
export { TRANSACTION_ID_MEMORY_MS } from './event-store';
export { DEFAULT_SCOPE, MICROSOFT_SCOPES } from './scopes';
export { MAX_EVENT_SUBSCRIPTION_MINUTES } from './subscription-input';
export { DEFAULT_CONFIG } from './state';
export type { MicrosoftSandboxState } from './state';
export type { SandboxLogger } from '../shared/types';
export type {
  CodeChallengeMethod,
  CreateMicrosoftCalendarInput,
  FaultRuleInput,
  FaultRuleView,
  GraphBodyType,
  GraphCalendar,
  GraphChangeNotification,
  GraphChangeType,
  GraphDateTimeTimeZone,
  GraphEmailAddress,
  GraphEvent,
  GraphEventInput,
  GraphEventType,
  GraphImportance,
  GraphItemBody,
  GraphLifecycleEvent,
  GraphLifecycleNotification,
  GraphLocation,
  GraphNotificationCollection,
  GraphPatternedRecurrence,
  GraphPatternedRecurrenceInput,
  GraphSensitivity,
  GraphShowAs,
  GraphSingleValueExtendedProperty,
  GraphSubscription,
  GraphSubscriptionInput,
  GraphUser,
  JsonObject,
  JsonValue,
  MicrosoftAccountInput,
  MicrosoftAccountStats,
  MicrosoftAccountView,
  MicrosoftAuthorizeInput,
  MicrosoftLifecycleEventInput,
  MicrosoftLifecycleEventResult,
  MicrosoftSandboxConfig,
  MicrosoftSandboxStats,
  MicrosoftSubscriptionDeliveries,
  MicrosoftSubscriptionStatus,
  MicrosoftSubscriptionView,
} from './types';
