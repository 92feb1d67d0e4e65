import { isIP } from 'node:net';

const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address or subnet as Express's `trust proxy` reads it: `10.0.0.1`, `10.0.0.0/8`, `fd00::/8`, `10.0.0.0/255.0.0.0`. */
function isProxyAddress(item: string): boolean {
  if (TRUST_PROXY_NAMES.has(item)) return true;
  const [address = '', range, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4;
}

/**
 * `TRUST_PROXY`: unset/false, a hop count (the proxies in front of this service), or the
 * proxies' addresses and subnets (and Express's names `loopback`, `linklocal`, `uniquelocal`).
 * `true` trusts every hop, so a client's own `X-Forwarded-For` picks its rate-limit key:
 * refused in production.
 */
export function parseTrustProxy(
  value: string | undefined,
  production: boolean,
): { ok: true; value: boolean | number | string } | { ok: false; problem: string } {
  if (value === undefined || value === 'false') return { ok: true, value: false };
  if (value === 'true') {
    return production
      ? {
          ok: false,
          problem:
            'TRUST_PROXY=true is refused in production: it lets any client choose its address (X-Forwarded-For) and so its rate-limit key; set the number of proxies in front of the service (e.g. 1) or their addresses (e.g. 10.0.0.0/8)',
        }
      : { ok: true, value: true };
  }
  if (/^\d+$/.test(value)) return { ok: true, value: Number(value) };
  const items = value.split(',').map((v) => v.trim());
  const bad = items.filter((v) => !isProxyAddress(v));
  if (bad.length > 0 || items.length === 0) {
    return {
      ok: false,
      problem: `TRUST_PROXY must be a hop count (e.g. 1) or proxy addresses/subnets (e.g. 10.0.0.0/8, loopback); not understood: ${bad.join(', ')}`,
    };
  }
  return { ok: true, value: items.join(', ') };
}
