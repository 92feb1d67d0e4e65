import { renderErrorPage, renderPage, type PageTheme } from '../shared/html';

// The Google look of the sandbox's pages (layout and escaping live in ../shared/html).

export { escapeHtml } from '../shared/html';

export const GOOGLE_THEME: PageTheme = {
  badge: 'Google sandbox',
  vars: {
    'page-bg': '#f0f4f9',
    font: '15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif',
    text: '#1f1f1f',
    muted: '#444746',
    subtle: '#5f6368',
    accent: '#0b57d0',
    border: '#747775',
    'card-radius': '28px',
    'card-padding': '36px 40px',
    'card-shadow': '0 1px 3px rgba(0,0,0,.12)',
    'heading-weight': '400',
    'input-radius': '6px',
    'button-radius': '999px',
    'badge-fg': '#8a4b00',
    'badge-bg': '#fff1dc',
  },
};

export function page(title: string, body: string): string {
  return renderPage(GOOGLE_THEME, title, body);
}

export function errorPage(error: string, message: string): string {
  return renderErrorPage(GOOGLE_THEME, {
    title: `Error: ${error}`,
    heading: 'Access blocked: this request is invalid',
    error: `Error 400: ${error}`,
    message,
  });
}
