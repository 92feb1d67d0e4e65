// Public API of the SMTP sandbox: a local mail server that keeps and lists what it receives.
export { startSmtpSandbox } from './server';
export type { RunningSmtpSandbox, SmtpSandboxOptions } from './server';
export { createSmtpSandboxApp } from './app';
export { SmtpSandboxStore } from './store';
export type { SandboxCalendarPart, SandboxMessage } from './store';
