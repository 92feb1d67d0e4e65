import { renderErrorPage, type PageTheme } from '../shared/html';
import type { AadError, RequestIds } from './errors';

// The Microsoft look of the sandbox's pages (layout and escaping live in ../shared/html).

export const MICROSOFT_THEME: PageTheme = {
  badge: 'Microsoft sandbox',
  vars: {
    'page-bg': 'linear-gradient(135deg,#e8eef6 0%,#f2f2f2 55%,#ece6f3 100%)',
    font: '15px/1.5 "Segoe UI","Segoe UI Web (West European)",-apple-system,BlinkMacSystemFont,Roboto,"Helvetica Neue",sans-serif',
    text: '#1b1b1b',
    muted: '#1b1b1b',
    subtle: '#605e5c',
    accent: '#0067b8',
    border: '#666666',
    'card-radius': '0',
    'card-padding': '44px',
    'card-shadow': '0 2px 6px rgba(0,0,0,.2)',
    'heading-weight': '600',
    'input-radius': '0',
    'button-radius': '0',
    'badge-fg': '#5c2d91',
    'badge-bg': '#efe6f7',
  },
  css: `
  .ms-brand{display:flex;align-items:center;gap:8px;font-size:17px;font-weight:600;color:#737373;margin-bottom:16px}
  .ms-logo{display:inline-grid;grid-template-columns:10px 10px;gap:1px}
  .ms-logo i{display:block;width:10px;height:10px}
  .ms-logo i:nth-child(1){background:#f25022}
  .ms-logo i:nth-child(2){background:#7fba00}
  .ms-logo i:nth-child(3){background:#00a4ef}
  .ms-logo i:nth-child(4){background:#ffb900}
  input[type=email]{border:0;border-bottom:1px solid var(--border);padding:6px 0}
  input[type=email]:focus{outline:0;border-bottom:2px solid var(--accent)}
  button{min-width:108px;border-color:#8c8c8c;background:#ccc;color:#000}
  button.primary{color:#fff}
  .details{font-size:12px;color:var(--subtle)}
`,
  header: `<div class="ms-brand"><span class="ms-logo" aria-hidden="true"><i></i><i></i><i></i><i></i></span>Microsoft</div>\n`,
};

/** AAD's "we're having trouble signing you in" page, for requests that cannot be redirected. */
export function aadErrorPage(error: AadError, ids: RequestIds): string {
  return renderErrorPage(MICROSOFT_THEME, {
    title: 'Sign in to your account',
    heading: 'Sorry, but we’re having trouble signing you in.',
    error: error.description,
    message: `Request Id: ${ids.requestId} · Correlation Id: ${ids.clientRequestId} · Timestamp: ${ids.at.toISOString()}`,
  });
}
