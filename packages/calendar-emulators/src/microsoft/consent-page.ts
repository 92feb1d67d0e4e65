import { renderConsentLayout } from '../shared/consent-page';
import { MICROSOFT_THEME } from './html';
import { describeScope, scopeList } from './scopes';

// The sandbox's stand-in for Microsoft's sign-in and "Permissions requested" pages.

export const DEFAULT_LOGIN_EMAIL = 'user@sandbox.test';

/** The authorization request, carried through the form as hidden fields. */
export interface ConsentFields {
  client_id: string;
  redirect_uri: string;
  response_type: string;
  scope: string;
  state?: string;
  response_mode?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

export interface ConsentView {
  tenant: string;
  fields: ConsentFields;
  email: string;
  error?: string;
}

/** Where the consent form posts (under the same tenant as the authorize request). */
export function consentPath(tenant: string): string {
  return `/${encodeURIComponent(tenant)}/oauth2/v2.0/authorize/consent`;
}

export function renderConsentPage(view: ConsentView): string {
  const { fields } = view;
  return renderConsentLayout({
    theme: MICROSOFT_THEME,
    title: 'Permissions requested - Microsoft (sandbox)',
    heading: 'Permissions requested',
    intro: '{app} (unverified)',
    appName: fields.client_id,
    notes: ['This application is not published by Microsoft or your organization.'],
    scopesHeading: 'This app would like to:',
    scopes: scopeList(fields.scope).map((scope) => ({ name: scope, description: describeScope(scope) })),
    action: consentPath(view.tenant),
    hidden: { ...fields },
    emailLabel: 'Sandbox account (any address; it is created on first use)',
    email: view.email,
    error: view.error,
    cancel: { label: 'Cancel', value: 'cancel' },
    accept: { label: 'Accept', value: 'accept' },
  });
}
