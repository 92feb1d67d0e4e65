// Minimal HTML helpers for the emulators' pages. Everything interpolated goes through
// escapeHtml: consent pages echo attacker-controllable query parameters.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);
}

/** How one provider's pages look: the shared layout takes its colours and shapes from here. */
export interface PageTheme {
  /** Text of the badge that says this is not the real provider. */
  badge: string;
  /** Values of the layout's CSS custom properties (names without the leading `--`). */
  vars: Readonly<Record<ThemeVar, string>>;
  /** Provider-specific CSS appended after the shared rules. */
  css?: string;
  /** Trusted markup shown above the badge (a logo). */
  header?: string;
}

export type ThemeVar =
  | 'page-bg'
  | 'font'
  | 'text'
  | 'muted'
  | 'subtle'
  | 'accent'
  | 'border'
  | 'card-radius'
  | 'card-padding'
  | 'card-shadow'
  | 'heading-weight'
  | 'input-radius'
  | 'button-radius'
  | 'badge-fg'
  | 'badge-bg';

const BASE_STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
    background:var(--page-bg);font:var(--font);color:var(--text)}
  main{width:min(460px,calc(100vw - 32px));background:#fff;border-radius:var(--card-radius);padding:var(--card-padding);
    box-shadow:var(--card-shadow)}
  .badge{display:inline-block;font-size:12px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;
    color:var(--badge-fg);background:var(--badge-bg);border-radius:999px;padding:2px 10px;margin-bottom:16px}
  h1{font-size:24px;font-weight:var(--heading-weight);margin:0 0 8px}
  p{margin:0 0 16px;color:var(--muted)}
  ul{padding-left:20px;margin:0 0 20px}
  li{margin-bottom:8px}
  code{font-size:12px;color:var(--subtle);word-break:break-all}
  label{display:block;font-size:13px;color:var(--muted);margin-bottom:6px}
  input[type=email]{width:100%;font:inherit;padding:12px 14px;border:1px solid var(--border);border-radius:var(--input-radius);margin-bottom:24px}
  input[type=email]:focus{outline:2px solid var(--accent);border-color:transparent}
  .actions{display:flex;justify-content:flex-end;gap:12px}
  button{font:inherit;font-weight:500;border-radius:var(--button-radius);padding:10px 24px;cursor:pointer;border:1px solid var(--border);background:#fff;color:var(--accent)}
  button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
  .error{color:#b3261e;background:#fce8e6;border-radius:8px;padding:8px 12px}
  dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
  dt{color:var(--subtle)}
  dd{margin:0;word-break:break-word}
`;

function themeStyle(theme: PageTheme): string {
  const vars = (Object.entries(theme.vars) as Array<[ThemeVar, string]>).map(([name, value]) => `--${name}:${value}`).join(';');
  return `\n  :root{${vars}}${BASE_STYLE}${theme.css ?? ''}`;
}

export function renderPage(theme: PageTheme, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${themeStyle(theme)}</style>
</head>
<body>
<main>
${theme.header ?? ''}<span class="badge">${escapeHtml(theme.badge)}</span>
${body}
</main>
</body>
</html>
`;
}

export interface ErrorPageView {
  title: string;
  heading: string;
  /** The short error line, e.g. `Error 400: invalid_request`. */
  error: string;
  message: string;
}

export function renderErrorPage(theme: PageTheme, view: ErrorPageView): string {
  return renderPage(
    theme,
    view.title,
    `<h1>${escapeHtml(view.heading)}</h1>
<p class="error">${escapeHtml(view.error)}</p>
<p>${escapeHtml(view.message)}</p>`,
  );
}
