import { escapeHtml } from './layout';

/**
 * A form that starts an OAuth connect flow: in place, or from a framed page in a new top-level
 * window that the window pass opens the session in (the providers' consent pages refuse to be
 * framed, and the frame's cookie stays in the frame).
 */
export function connectForm(provider: string, button: string, windowPass: string | undefined): string {
  const fields = `<input type="hidden" name="provider" value="${escapeHtml(provider)}">`;
  if (windowPass === undefined) return `<form method="post" action="/settings/connect">${fields}${button}</form>`;
  return `<form method="post" action="/settings/connect" target="_blank" rel="noopener">${fields}<input type="hidden" name="window" value="${escapeHtml(windowPass)}">${button}</form>`;
}
