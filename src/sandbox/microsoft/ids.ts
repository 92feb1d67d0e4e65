import { createHash, randomUUID } from 'node:crypto';

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
