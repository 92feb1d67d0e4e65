export { MicrosoftOAuth, MICROSOFT_SCOPES, type MicrosoftOAuthConfig } from './oauth';
