import type { CalendarAccountJson } from '../calendar-account-json';
import { escapeHtml } from './layout';

/** What the user typed into a refused reconnect form (the password is never sent back). */
export interface ReconnectFormValues {
  connectionId: string;
  serverUrl: string;
  username: string;
}

/**
 * The reconnect form of a CalDAV or iCloud calendar whose sign-in was refused: the user name
 * and server it was connected with, filled in, and a new app password. The same calendar is kept.
 */
export function caldavReconnectForm(c: CalendarAccountJson, typed?: ReconnectFormValues): string {
  const id = escapeHtml(c.id);
  const mine = typed?.connectionId === c.id ? typed : undefined;
  const serverUrl = mine?.serverUrl ?? c.serverUrl ?? '';
  const username = mine?.username ?? c.accountEmail ?? '';
  const server =
    c.provider === 'caldav'
      ? `<label for="rc-server-${id}">Server URL</label><input id="rc-server-${id}" name="serverUrl" type="url" value="${escapeHtml(serverUrl)}">`
      : '';
  const hint =
    c.provider === 'icloud'
      ? 'Create a new app-specific password at appleid.apple.com and enter it here.'
      : 'Enter the current password (or a new app password) for this calendar.';
  return `<form method="post" action="/settings/reconnect" class="grow" data-reconnect="${id}">
  <input type="hidden" name="connectionId" value="${id}">
  <p class="muted">${hint}</p>
  ${server}
  <label for="rc-user-${id}">User name</label><input id="rc-user-${id}" name="username" autocomplete="username" value="${escapeHtml(username)}">
  <label for="rc-password-${id}">App password</label><input id="rc-password-${id}" name="password" type="password" autocomplete="current-password" required>
  <p><button class="primary" type="submit">Reconnect</button></p>
</form>`;
}
