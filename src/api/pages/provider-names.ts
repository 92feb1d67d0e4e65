/** What each provider is called on the pages. */
export const PROVIDER_NAMES: Record<string, string> = {
  google: 'Google Calendar',
  microsoft: 'Microsoft Outlook',
  icloud: 'iCloud',
  caldav: 'CalDAV',
};

export function providerName(provider: string | null): string {
  return provider ? (PROVIDER_NAMES[provider] ?? provider) : 'your calendar';
}
