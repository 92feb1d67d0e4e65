import { describe, expect, it } from 'vitest';
import { addressPolicy, refusedClassOf } from '../../src/net/address-policy';

describe('which addresses CalDAV servers may not be reached at', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd00:ec2::254', 'private'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['100.127.255.255', 'shared (CGNAT)'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['2001:db8::1', 'documentation'],
    // IPv4-mapped, NAT64 and 6to4 spellings are judged by the IPv4 address inside.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['::127.0.0.1', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(refusedClassOf(ip)).toBe(cls);
    expect(addressPolicy(false)(ip)).toEqual({ ok: false, class: cls });
  });

  it.each(['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (ip) => {
      expect(refusedClassOf(ip)).toBeUndefined();
      expect(addressPolicy(false)(ip)).toEqual({ ok: true });
    },
  );

  it('allows every address when private networks are allowed, and only the listed ranges when some are', () => {
    expect(addressPolicy(true)('127.0.0.1')).toEqual({ ok: true });
    const some = addressPolicy(['127.0.0.2/32', 'fd12::/16']);
    expect(some('127.0.0.2')).toEqual({ ok: true });
    expect(some('::ffff:127.0.0.2')).toEqual({ ok: true });
    expect(some('fd12:3::4')).toEqual({ ok: true });
    expect(some('127.0.0.1')).toEqual({ ok: false, class: 'loopback' });
    expect(some('169.254.169.254')).toEqual({ ok: false, class: 'link-local' });
    expect(some('8.8.8.8')).toEqual({ ok: true });
  });

  it('refuses what is not an address', () => {
    expect(addressPolicy(true)('localhost')).toEqual({ ok: false, class: 'reserved' });
  });
});
