import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Formats 16 bytes as a GUID (RFC 9562 layout, version 5 style: name-based, SHA-derived). */
function guidFromBytes(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The Graph user id of a sandbox account: a GUID derived from the address, so it survives resets. */
export function userIdFor(email: string): string {
  return guidFromBytes(createHash('sha256').update(`microsoft-sandbox-user:${email}`).digest());
}

/** A fresh request, trace or correlation id. */
export function newRequestId(): string {
  return randomUUID();
}

/** 16 bytes (hex) that every item id and change key of a mailbox carries, like an Exchange store GUID. */
export function storeKeyFor(email: string): string {
  return createHash('sha256').update(`microsoft-sandbox-store:${email}`).digest().subarray(0, 16).toString('hex');
}

/**
 * An Outlook REST item id: long, opaque, base64 with `/`→`-` and `+`→`_` (so it is safe in
 * a URL path) and `=` padding, starting `AAMkA` like the ids of Exchange Online mailboxes.
 * `kind` keeps calendar and event ids apart.
 */
function outlookItemId(storeKey: string, kind: number): string {
  const bytes = Buffer.concat([
    Buffer.from([0x00, 0x03, 0x24, 0x00]),
    Buffer.from(storeKey, 'hex'),
    Buffer.from([0x00, 0x46, 0x00, 0x00, 0x00, 0x00, kind & 0xff]),
    randomBytes(84),
    Buffer.from([0x00, 0x00]),
  ]);
  return bytes.toString('base64').replace(/\//g, '-').replace(/\+/g, '_');
}

export function newEventId(storeKey: string): string {
  return outlookItemId(storeKey, 0x07);
}

export function newCalendarId(storeKey: string): string {
  return outlookItemId(storeKey, 0x01);
}

/** A change key: the store's 16 bytes and a 6-byte change number, base64 (`nfZyf7VcrEKLNoU37KWlkQAAA0x0+w==`). */
export function changeKeyFor(storeKey: string, changeNumber: number): string {
  const counter = Buffer.alloc(6);
  counter.writeUIntBE(changeNumber, 0, 6);
  return Buffer.concat([Buffer.from(storeKey, 'hex'), counter]).toString('base64');
}

/** An iCalendar UID in Outlook's form: the Outlook GUID prefix, a FILETIME, then a random GUID, in hex. */
export function newICalUId(nowMs: number): string {
  const fileTime = BigInt(nowMs) * 10_000n + 116_444_736_000_000_000n;
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64LE(fileTime);
  return `040000008200E00074C5B7101A82E00800000000${stamp.toString('hex')}000000000000000010000000${randomBytes(16).toString('hex')}`.toUpperCase();
}

/** The sandbox's default directory tenant: the tenantId of change notifications, the `tid` of accounts created without one. */
export const SANDBOX_TENANT_ID = guidFromBytes(createHash('sha256').update('microsoft-sandbox-tenant').digest());
