import { escapeHtml, page } from './html';
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

function hidden(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

export function renderConsentPage(view: ConsentView): string {
  const { fields } = view;
  const scopes = fields.scope
    .split(/\s+/)
    .filter(Boolean)
    .map((scope) => `<li>${escapeHtml(describeScope(scope))}<br><code>${escapeHtml(scope)}</code></li>`)
    .join('\n');
  const hiddenFields = (Object.keys(fields) as Array<keyof ConsentFields>)
    .map((name) => hidden(name, fields[name]))
    .join('\n');
  const error = view.error ? `<p class="error">${escapeHtml(view.error)}</p>` : '';
  return page(
    'Sign in - Google Accounts (sandbox)',
    `<h1>Sign in to continue</h1>
<p><strong>${escapeHtml(fields.client_id)}</strong> wants to access your Google Account:</p>
<ul>
${scopes}
</ul>
${error}
<form method="post" action="/o/oauth2/v2/auth/decision">
${hiddenFields}
<label for="email">Sandbox account (any address; it is created on first use)</label>
<input id="email" type="email" name="email" required autocomplete="email" value="${escapeHtml(view.email)}">
<div class="actions">
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
<button type="submit" name="decision" value="allow" class="primary">Allow</button>
</div>
</form>`,
  );
}
