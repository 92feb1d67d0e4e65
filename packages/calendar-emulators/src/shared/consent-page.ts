import { escapeHtml, renderPage, type PageTheme } from './html';

// The layout of every emulator's stand-in for its provider's sign-in and consent
// screen: who asks, for which scopes, an e-mail field (the sandbox account, created
// on first use) and two buttons posting the request back as hidden fields.

export interface ConsentButton {
  label: string;
  /** Sent as `decision=<value>`. */
  value: string;
}

export interface ConsentPageView {
  theme: PageTheme;
  title: string;
  heading: string;
  /** The sentence naming the application; `{app}` is replaced by its name in bold. */
  intro: string;
  appName: string;
  /** Paragraphs shown after the intro (plain text). */
  notes?: string[];
  /** Shown above the scope list (plain text). */
  scopesHeading?: string;
  scopes: ReadonlyArray<{ name: string; description: string }>;
  /** Where the form posts. */
  action: string;
  /** The authorization request, carried through the form; undefined values are left out. */
  hidden: Readonly<Record<string, string | undefined>>;
  emailLabel: string;
  email: string;
  error?: string;
  cancel: ConsentButton;
  accept: ConsentButton;
}

function hiddenInput(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

export function renderConsentLayout(view: ConsentPageView): string {
  const intro = view.intro
    .split('{app}')
    .map(escapeHtml)
    .join(`<strong>${escapeHtml(view.appName)}</strong>`);
  const notes = (view.notes ?? []).map((note) => `<p>${escapeHtml(note)}</p>\n`).join('');
  const scopesHeading = view.scopesHeading ? `<p>${escapeHtml(view.scopesHeading)}</p>\n` : '';
  const scopes = view.scopes
    .map((scope) => `<li>${escapeHtml(scope.description)}<br><code>${escapeHtml(scope.name)}</code></li>`)
    .join('\n');
  const hidden = Object.entries(view.hidden)
    .map(([name, value]) => hiddenInput(name, value))
    .join('\n');
  const error = view.error ? `<p class="error">${escapeHtml(view.error)}</p>` : '';
  return renderPage(
    view.theme,
    view.title,
    `<h1>${escapeHtml(view.heading)}</h1>
<p>${intro}</p>
${notes}${scopesHeading}<ul>
${scopes}
</ul>
${error}
<form method="post" action="${escapeHtml(view.action)}">
${hidden}
<label for="email">${escapeHtml(view.emailLabel)}</label>
<input id="email" type="email" name="email" required autocomplete="email" value="${escapeHtml(view.email)}">
<div class="actions">
<button type="submit" name="decision" value="${escapeHtml(view.cancel.value)}" formnovalidate>${escapeHtml(view.cancel.label)}</button>
<button type="submit" name="decision" value="${escapeHtml(view.accept.value)}" class="primary">${escapeHtml(view.accept.label)}</button>
</div>
</form>`,
  );
}
