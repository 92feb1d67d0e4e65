// Public API of the Microsoft identity platform + Graph sandbox.
export { startMicrosoftSandbox, createMicrosoftSandboxState } from './server';
export type { MicrosoftSandboxOptions, RunningMicrosoftSandbox } from './server';
export { createMicrosoftSandboxApp } from './app';
export { MicrosoftSandboxControl, MicrosoftSandboxControlError } from './control-client';
export { DEFAULT_SCOPE, MICROSOFT_SCOPES } from './scopes';
export { DEFAULT_CONFIG } from './state';
export type { MicrosoftSandboxState } from './state';
export type { SandboxLogger } from '../shared/types';
export type {
  CodeChallengeMethod,
  FaultRuleInput,
  FaultRuleView,
  GraphUser,
  MicrosoftAccountInput,
  MicrosoftAccountStats,
  MicrosoftAccountView,
  MicrosoftAuthorizeInput,
  MicrosoftSandboxConfig,
  MicrosoftSandboxStats,
} from './types';
