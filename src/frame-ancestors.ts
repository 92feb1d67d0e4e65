/** Hosts for which plain http is accepted: this machine's loopback, for development. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * `SETTINGS_FRAME_ANCESTORS`: the origins whose pages may show the settings page in a frame,
 * separated by spaces or commas. Each must be exactly an origin (`https://app.example.com`,
 * `https://app.example.com:8443`): https, or http to the loopback for development; no path,
 * query, user or wildcard (`*` and `https://*.example.com` would let pages nobody reviewed frame
 * it), no CSP keyword or bare scheme. Unset or empty: never framed. Returns the origins as the
 * browser spells them (lower-case host, no default port, no trailing slash).
 */
export function parseFrameAncestors(value: string | undefined): { ok: true; origins: string[] } | { ok: false; problem: string } {
  const items = (value ?? '').split(/[\s,]+/).filter((v) => v.length > 0);
  const origins: string[] = [];
  const bad: string[] = [];
  for (const item of items) {
    if (item.includes('*')) {
      return {
        ok: false,
        problem:
          'SETTINGS_FRAME_ANCESTORS: wildcards are refused (`*` or `https://*.example.com`): name every origin that may frame the settings page',
      };
    }
    const origin = originOf(item);
    if (origin === undefined) bad.push(item);
    else if (!origins.includes(origin)) origins.push(origin);
  }
  if (bad.length > 0) {
    return {
      ok: false,
      problem: `SETTINGS_FRAME_ANCESTORS must list origins such as https://app.example.com (https, or http for localhost/127.0.0.1; no path); not understood: ${bad.join(', ')}`,
    };
  }
  return { ok: true, origins };
}

function originOf(item: string): string | undefined {
  if (!/^https?:\/\/[^/?#]+\/?$/i.test(item)) return undefined;
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return url.origin;
}
