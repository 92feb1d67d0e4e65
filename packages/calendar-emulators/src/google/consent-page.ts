import { renderConsentLayout } from '../shared/consent-page';
import { GOOGLE_THEME } from './html';
import { describeScope } from './scopes';

// The sandbox's stand-in for Google's account chooser and consent screen.

export const DEFAULT_LOGIN_EMAIL = 'user@sandbox.test';

/** The authorization request, carried through the form as hidden fields. */
export interface ConsentFields {
  client_id: string;
  redirect_uri: string;
  scope: string;
  state?: string;
  access_type?: string;
  response_type?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

export interface ConsentView {
  fields: ConsentFields;
  email: string;
  error?: string;
}

export function renderConsentPage(view: ConsentView): string {
  const { fields } = view;
  return renderConsentLayout({
    theme: GOOGLE_THEME,
    title: 'Sign in - Google Accounts (sandbox)',
    heading: 'Sign in to continue',
    intro: '{app} wants to access your Google Account:',
    appName: fields.client_id,
    scopes: fields.scope
      .split(/\s+/)
      .filter(Boolean)
      .map((scope) => ({ name: scope, description: describeScope(scope) })),
    action: '/o/oauth2/v2/auth/decision',
    hidden: { ...fields },
    emailLabel: 'Sandbox account (any address; it is created on first use)',
    email: view.email,
    error: view.error,
    cancel: { label: 'Deny', value: 'deny' },
    accept: { label: 'Allow', value: 'allow' },
  });
}
