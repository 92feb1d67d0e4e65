import { escapeHtml, page } from './layout';

/**
 * A same-origin hop to `path` (a path on this service): the browser follows the refresh from
 * this page, so the request it makes is same-site and carries the SameSite=Strict session
 * cookie, which a plain redirect after a cross-site navigation would not.
 */
export function continuePage(path: string): string {
  const to = escapeHtml(path);
  return page(
    'Opening your settings',
    `<meta http-equiv="refresh" content="0;url=${to}"><div class="card"><p>Opening your calendar settings… <a href="${to}">Continue</a></p></div>`,
  );
}

export function crossSiteRefusedPage(): string {
  return page(
    'Request refused',
    '<div class="card"><h1 class="bad">This request did not come from the settings page</h1><p>Nothing was changed. Open your calendar settings from the app and try again there.</p></div>',
  );
}
