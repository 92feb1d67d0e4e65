export { MicrosoftCalendarProvider } from './calendar-provider';
export { MicrosoftOAuth, MICROSOFT_SCOPES, type MicrosoftOAuthConfig } from './oauth';
export { TAG_PROPERTY_ID, tagValue, transactionIdFor } from './event-tag';
export { pickReminder, parseOutlookReminderChoice, type OutlookReminderChoice } from './reminder-choice';
