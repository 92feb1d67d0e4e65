import { describe, expect, it } from 'vitest';
import { redactPath, redactUrl } from '../../src/api/access-log';

describe('access-log redaction', () => {
  it('replaces a calendar feed token in the path, whatever its case or query', () => {
    expect(redactUrl('/feeds/abcDEF_-123.ics')).toBe('/feeds/[redacted]');
    expect(redactUrl('/FEEDS/abc.ics?token=t1')).toBe('/feeds/[redacted]?token=[redacted]');
    expect(redactPath('/feeds/abc.ics')).toBe('/feeds/[redacted]');
  });

  it('leaves other paths alone', () => {
    expect(redactUrl('/v1/users/u1/feed-links')).toBe('/v1/users/u1/feed-links');
    expect(redactUrl('/settings?token=abc')).toBe('/settings?token=[redacted]');
  });
});
