// Public API of the Google Calendar v3 + Google OAuth sandbox.
export { startGoogleSandbox, createGoogleSandboxState } from './server';
export type { GoogleSandboxOptions, RunningGoogleSandbox } from './server';
export { createGoogleSandboxApp } from './app';
export { GoogleSandboxControl, GoogleSandboxControlError } from './control-client';
export type { CalendarOption } from './control-client';
export { CALENDAR_SCOPES, DEFAULT_SCOPE } from './scopes';
export { DEFAULT_CONFIG } from './state';
export type { SandboxLogger, SandboxState } from './state';
export type {
  AccessType,
  AccountStats,
  AuthorizeInput,
  CalendarAccessRole,
  CodeChallengeMethod,
  CreateCalendarInput,
  EventDateTime,
  EventExtendedProperties,
  EventReminders,
  FaultRuleInput,
  FaultRuleView,
  GoogleCalendarListEntry,
  GoogleChannelResource,
  GoogleEventInput,
  GoogleEventResource,
  SandboxCalendarRole,
  SandboxChannelState,
  SandboxChannelView,
  SandboxConfig,
  SandboxStats,
  WatchRequest,
} from './types';
