import { escapeHtml, page } from './layout';

/** What a problem type URI (`/problems/<code>`) shows a person who follows it. */
export function problemTypePage(code: string, title: string): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<div class="card"><p>A problem type of this service's API: error responses with <code>"code": "${escapeHtml(code)}"</code>
are <code>application/problem+json</code> (RFC 9457) with this page's address as their <code>type</code>.
Their <code>detail</code> says what went wrong that time; <code>instance</code> is the request's id.</p>
<p class="muted">Which routes answer it and when: <a href="/docs">/docs</a> (<a href="/openapi.json">/openapi.json</a>).</p></div>`,
  );
}
