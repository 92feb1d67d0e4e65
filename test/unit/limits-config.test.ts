import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { DEVELOPMENT_ENV, PRODUCTION_ENV, problems } from './support/config-env';

const development = DEVELOPMENT_ENV;
const production = PRODUCTION_ENV;

describe('TRUST_PROXY', () => {
  it('refuses true in production with a message that says what to set instead', () => {
    const p = problems({ ...production, TRUST_PROXY: 'true' });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^TRUST_PROXY=true is refused in production/);
    expect(p[0]).toContain('X-Forwarded-For');
    expect(p[0]).toContain('e.g. 1');
  });

  it('allows true in development', () => {
    expect(loadConfig({ ...development, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });

  it('takes a hop count or proxy addresses and subnets, in production too', () => {
    expect(loadConfig(production).trustProxy).toBe(false);
    expect(loadConfig({ ...production, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...production, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...production, TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8, loopback' }).trustProxy).toBe(
      '10.0.0.0/8, 192.168.1.7, fd00::/8, loopback',
    );
    expect(loadConfig({ ...production, TRUST_PROXY: '10.0.0.0/255.0.0.0' }).trustProxy).toBe('10.0.0.0/255.0.0.0');
  });

  it('refuses what is neither a count nor an address', () => {
    for (const value of ['yes', '10.0.0.0/33', '10.0.0.1, proxy.example.com', '::1/129', '10.0.0.0/8/1']) {
      expect(problems({ ...development, TRUST_PROXY: value })[0], value).toMatch(/^TRUST_PROXY must be a hop count/);
    }
  });
});

describe('per-user connect limits', () => {
  it('default to 10 calendar accounts and 20 connect attempts an hour', () => {
    const c = loadConfig(development);
    expect(c.maxConnectionsPerUser).toBe(10);
    expect(c.connectAttemptsPerHour).toBe(20);
  });

  it('are configurable; the attempt limit can be turned off, the account limit cannot', () => {
    const c = loadConfig({ ...development, MAX_CONNECTIONS_PER_USER: '3', CONNECT_ATTEMPTS_PER_HOUR: '0' });
    expect(c.maxConnectionsPerUser).toBe(3);
    expect(c.connectAttemptsPerHour).toBe(0);
    expect(problems({ ...development, MAX_CONNECTIONS_PER_USER: '0' })).toEqual(['MAX_CONNECTIONS_PER_USER must be 1 or more']);
    expect(problems({ ...development, CONNECT_ATTEMPTS_PER_HOUR: '-1' })).toEqual(['CONNECT_ATTEMPTS_PER_HOUR must be 0 (off) or more']);
  });
});

describe('METRICS_KEY', () => {
  it('is strong in production and never also an API key', () => {
    expect(loadConfig(development).metricsKey).toBeUndefined();
    expect(loadConfig({ ...production, METRICS_KEY: 'm'.repeat(32) }).metricsKey).toBe('m'.repeat(32));
    expect(problems({ ...production, METRICS_KEY: 'short' })).toEqual(['METRICS_KEY: must be at least 24 characters in production']);
    expect(problems({ ...development, METRICS_KEY: 'dev_key_1' })).toEqual([
      'METRICS_KEY: must not also be an API key (a scraper would hold the whole API)',
    ]);
  });
});
