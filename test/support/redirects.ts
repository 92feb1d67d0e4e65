/**
 * One step of a browser's redirect chain with plain fetch: the answer without following it, and
 * the cookies it sets (as `name=value` pairs, the way a browser sends them back); `cookie` is
 * what this browser holds. Connect flows are bound to the browser that opened them, so a test
 * that plays the browser carries the cookie from the link to the callback.
 */
export async function redirectOf(
  url: string,
  cookie?: string,
): Promise<{ status: number; location: string | null; body: string; cookie: string }> {
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const set = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  return { status: res.status, location: res.headers.get('location'), body: await res.text(), cookie: set };
}
