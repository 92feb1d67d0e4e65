// Sandbox accounts are keyed by e-mail address, compared case-insensitively.

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isPlausibleEmail(email: string): boolean {
  return EMAIL.test(email.trim());
}
