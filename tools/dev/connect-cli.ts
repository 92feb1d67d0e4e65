import { readFileSync } from 'node:fs';
import path from 'node:path';
import { completeConnectLink } from 'calendar-emulators/consent-client';

/**
 * `npm run sandbox:connect -- <userId> <email> [google]`: connects a user to a sandbox calendar
 * through the real OAuth flow of a running `npm start`, clicking "Allow" on the sandbox consent
 * page for you. Reads the development API key from .data/api-key unless API_KEY is set.
 */
async function main(): Promise<void> {
  const [userId, email, provider = 'google'] = process.argv.slice(2);
  if (!userId || !email) {
    process.stderr.write('usage: npm run sandbox:connect -- <userId> <email> [google]\n');
    process.exit(2);
  }
  const base = (process.env.API_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const key = process.env.API_KEY ?? readFileSync(path.resolve(process.env.DATA_DIR ?? '.data', 'api-key'), 'utf8').trim();
  const res = await fetch(`${base}/v1/users/${encodeURIComponent(userId)}/connect-links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ provider }),
  });
  const body = (await res.json()) as { url?: string; error?: { message: string } };
  if (!res.ok || !body.url) throw new Error(`connect link refused: ${res.status} ${body.error?.message ?? ''}`);
  const result = await completeConnectLink(body.url, email);
  const ok = result.status === 200 && result.body.includes('Calendar connected');
  process.stdout.write(ok ? `Connected ${userId} to ${email}.\n` : `Not connected (${result.status}): ${result.location ?? ''}\n`);
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
