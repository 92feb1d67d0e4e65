import { isIP } from 'node:net';

/**
 * Which addresses an outgoing connection to a host named by an end user may reach. Every
 * address that is not on the public internet is refused (loopback, private, shared, link-local
 * including cloud metadata, unspecified, multicast, reserved and documentation ranges), also
 * in its IPv6 spellings (IPv4-mapped, NAT64, 6to4); unless the deployment allows private
 * networks: all of them (`true`), or only the listed ranges.
 */
export type PrivateNetworkAllowance = boolean | readonly string[];

/** Why an address is refused: the class of range it falls in, for the log. */
export type RefusedClass =
  'unspecified' | 'loopback' | 'private' | 'shared (CGNAT)' | 'link-local' | 'multicast' | 'reserved' | 'documentation' | 'benchmarking';

interface Range {
  bytes: number[];
  bits: number;
}

type Classified = Range & { class: RefusedClass };

const range = (cidr: string, cls: RefusedClass): Classified => ({ ...parseCidr(cidr)!, class: cls });

const REFUSED_V4: Classified[] = [
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'shared (CGNAT)'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'reserved'),
  range('192.0.2.0/24', 'documentation'),
  range('192.88.99.0/24', 'reserved'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'),
];

const REFUSED_V6: Classified[] = [
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  // IPv4-compatible (deprecated); IPv4-mapped, NAT64 and 6to4 are judged by their IPv4 address.
  range('::/96', 'reserved'),
  range('64:ff9b:1::/48', 'private'),
  range('100::/64', 'reserved'),
  range('2001:db8::/32', 'documentation'),
  // IETF protocol assignments, Teredo included (its IPv4 address is obfuscated).
  range('2001::/23', 'reserved'),
  range('fc00::/7', 'private'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'private'),
  range('ff00::/8', 'multicast'),
];

/** The 4 or 16 bytes of an IP address, or undefined when `ip` is not one. */
export function addressBytes(ip: string): number[] | undefined {
  const family = isIP(ip);
  if (family === 4) return ip.split('.').map(Number);
  if (family !== 6) return undefined;
  let text = ip.toLowerCase();
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted[1]!.split('.').map(Number));
    text = text.slice(0, -dotted[1]!.length) + (text.endsWith(':' + dotted[1]) ? '0:0' : '');
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const hextets = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = hextets.flatMap((h) => [h >> 8, h & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function parseCidr(cidr: string): Range | undefined {
  const [ip, prefix] = cidr.trim().split('/') as [string, string | undefined];
  const bytes = addressBytes(ip);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return undefined;
  const bits = prefix === undefined ? max : Number(prefix);
  return bits <= max ? { bytes, bits } : undefined;
}

/** Whether `cidr` is an address or `address/prefix` range. */
export function isCidr(cidr: string): boolean {
  return parseCidr(cidr) !== undefined;
}

function within(bytes: number[], range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  for (let bit = 0; bit < range.bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((bytes[bit >> 3]! & mask) !== (range.bytes[bit >> 3]! & mask)) return false;
  }
  return true;
}

const MAPPED = parseCidr('::ffff:0:0/96')!;
const NAT64 = parseCidr('64:ff9b::/96')!;
const SIX_TO_FOUR = parseCidr('2002::/16')!;

/** The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4), else the address itself. */
function effective(bytes: number[]): number[] {
  if (bytes.length === 4) return bytes;
  if (within(bytes, MAPPED) || within(bytes, NAT64)) return bytes.slice(12);
  if (within(bytes, SIX_TO_FOUR)) return bytes.slice(2, 6);
  return bytes;
}

/** The class of non-public range `ip` is in, or undefined for a public address (and for a non-address). */
export function refusedClassOf(ip: string): RefusedClass | undefined {
  const bytes = addressBytes(ip);
  if (!bytes) return undefined;
  const address = effective(bytes);
  return (address.length === 4 ? REFUSED_V4 : REFUSED_V6).find((r) => within(address, r))?.class;
}

/** The verdict on one resolved address: allowed, or refused with its class (an unparsable address is refused). */
export type AddressVerdict = { ok: true } | { ok: false; class: RefusedClass };

/** Judges addresses under a deployment's allowance. */
export function addressPolicy(allow: PrivateNetworkAllowance): (ip: string) => AddressVerdict {
  const allowed = typeof allow === 'boolean' ? [] : allow.map((c: string) => parseCidr(c)).filter((r): r is Range => r !== undefined);
  return (ip) => {
    const bytes = addressBytes(ip);
    if (!bytes) return { ok: false, class: 'reserved' };
    const cls = refusedClassOf(ip);
    if (cls === undefined || allow === true) return { ok: true };
    const address = effective(bytes);
    return allowed.some((r) => within(address, r) || within(bytes, r)) ? { ok: true } : { ok: false, class: cls };
  };
}
