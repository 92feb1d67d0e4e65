import { describe, expect, it } from 'vitest';
import { mayCarryCredentials } from '../../src/providers/caldav/dav-fetch';

const may = (from: string, to: string) => mayCarryCredentials(new URL(from), new URL(to));

describe('where a CalDAV password may be sent', () => {
  it('to the same host or a sibling under the same domain, never down to http', () => {
    expect(may('https://caldav.icloud.com/', 'https://p42-caldav.icloud.com/123/calendars/')).toBe(true);
    expect(may('https://dav.example.com/', 'https://dav.example.com:8443/x/')).toBe(true);
    expect(may('http://127.0.0.1:5232/', 'http://127.0.0.1:6000/')).toBe(true);
    expect(may('https://caldav.icloud.com/', 'http://p42-caldav.icloud.com/')).toBe(false);
    expect(may('https://caldav.icloud.com/', 'https://icloud.com.evil.test/')).toBe(false);
    expect(may('http://127.0.0.1:5232/', 'http://localhost:5232/')).toBe(false);
  });

  it('does not treat a public suffix such as co.uk as a shared domain', () => {
    expect(may('https://dav.example.co.uk/', 'https://www.other.co.uk/')).toBe(false);
    expect(may('https://dav.example.co.uk/', 'https://p2.example.co.uk/')).toBe(true);
  });

  it('takes registrable domains from the Public Suffix List, private suffixes included', () => {
    // Each of these looked like a shared parent domain to the guess this rule replaced.
    expect(may('https://alice.github.io/', 'https://bob.github.io/')).toBe(false);
    expect(may('https://dav.example.com.au/', 'https://evil.com.au/')).toBe(false);
    expect(may('https://a.appspot.com/', 'https://b.appspot.com/')).toBe(false);
    expect(may('https://dav.example.net.au/', 'https://p1.example.net.au/')).toBe(true);
    expect(may('https://dav.school.nsw.edu.au/', 'https://other.nsw.edu.au/')).toBe(false);
  });
});
