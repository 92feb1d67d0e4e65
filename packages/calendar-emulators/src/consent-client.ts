/**
 * What a user's browser does in the OAuth connect flow against a sandbox emulator, with plain
 * fetch and manual redirects: open the connect link, submit the consent form, follow the
 * redirect to the service's callback. Used by tests and by `npm run sandbox:connect`.
 */

function unescapeHtml(v: string): string {
  return v
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export async function redirectOf(
  url: string,
  cookie?: string,
): Promise<{ status: number; location: string | null; body: string; cookie: string }> {
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  // What a browser would send back: each cookie set here, as `name=value`.
  const set = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  return { status: res.status, location: res.headers.get('location'), body: await res.text(), cookie: set };
}

/**
 * Submits the sandbox consent page at `authorizeUrl`; returns where the provider redirects.
 * `grantScopes`: Google's granular consent, only these of the requested scopes left ticked.
 */
export async function consent(
  authorizeUrl: string,
  email: string,
  decision: 'allow' | 'deny' = 'allow',
  options: { grantScopes?: string[] } = {},
): Promise<string> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page: ${page.status} ${html.slice(0, 200)}`);
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error('no form on the consent page');
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(unescapeHtml(m[1]!), unescapeHtml(m[2]!));
  form.set('email', email);
  if (options.grantScopes) form.set('granted_scope', options.grantScopes.join(' '));
  // Emulators name their buttons differently (Allow/Deny, Accept/Cancel): the primary one consents.
  const allow = /name="decision" value="([^"]+)" class="primary"/.exec(html)?.[1];
  const deny = /name="decision" value="([^"]+)" formnovalidate/.exec(html)?.[1];
  if (!allow || !deny) throw new Error('no consent buttons on the consent page');
  form.set('decision', unescapeHtml(decision === 'allow' ? allow : deny));
  const res = await fetch(new URL(unescapeHtml(action), authorizeUrl), {
    method: 'POST',
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`consent decision: ${res.status} ${await res.text()}`);
  return location;
}

/**
 * Opens a connect link, consents as `email`, and returns where the service finally redirects;
 * the callback carries the cookies the link set, as the same browser would.
 */
export async function completeConnectLink(
  connectUrl: string,
  email: string,
  decision: 'allow' | 'deny' = 'allow',
  options: { grantScopes?: string[] } = {},
): Promise<{ status: number; location: string | null; body: string; cookie: string }> {
  const opened = await redirectOf(connectUrl);
  if (opened.status !== 302 || !opened.location) return opened;
  return redirectOf(await consent(opened.location, email, decision, options), opened.cookie);
}
