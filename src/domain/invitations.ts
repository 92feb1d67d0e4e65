/**
 * E-mail invitations (iTIP, RFC 5546 over RFC 6047): who gets them and what one send is. Plain
 * data only, shared by the configuration, the booking workflow and the activity that mails.
 */

/** INVITATIONS: no mails, mails to participants without a usable connected calendar, or to every participant. */
export type InvitationMode = 'off' | 'unconnected' | 'all';

/** REQUEST invites (or updates, with a higher SEQUENCE); CANCEL withdraws. */
export type InvitationMethod = 'REQUEST' | 'CANCEL';

/** A sender as INVITATION_FROM names it: `addr@example.com` or `Name <addr@example.com>`. */
export interface Mailbox {
  name?: string;
  address: string;
}

/** Splits `Name <address>` (or a bare address); undefined when it is neither. The address itself is not validated here. */
export function parseMailbox(value: string): Mailbox | undefined {
  const m = /^\s*(?:([^<>\r\n]*?)\s*<([^<>\s]+)>|([^<>\s]+))\s*$/.exec(value);
  if (!m) return undefined;
  const address = m[2] ?? m[3]!;
  const name = m[1]?.replace(/^"(.*)"$/, '$1').trim();
  return name ? { name, address } : { address };
}
