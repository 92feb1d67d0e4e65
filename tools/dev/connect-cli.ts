import { readFileSync } from 'node:fs';
import path from 'node:path';
import { completeConnectLink } from 'calendar-emulators/consent-client';
import { createClient } from 'calsync-client';

/**
 * `npm run sandbox:connect -- <userId> <email> [google|microsoft]`: connects a user to a sandbox calendar
 * through the real OAuth flow of a running `npm start`, clicking "Allow" on the sandbox consent
 * page for you. Reads the development API key from .data/api-key unless API_KEY is set.
 */
async function main(): Promise<void> {
  const [userId, email, provider = 'google'] = process.argv.slice(2);
  if (!userId || !email || (provider !== 'google' && provider !== 'microsoft')) {
    process.stderr.write('usage: npm run sandbox:connect -- <userId> <email> [google|microsoft]\n');
    process.exit(2);
  }
  const base = (process.env.API_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const key = process.env.API_KEY ?? readFileSync(path.resolve(process.env.DATA_DIR ?? '.data', 'api-key'), 'utf8').trim();
  const api = createClient({ baseUrl: base, apiKey: key });
  const res = await api.call('createConnectLink', { params: { path: { userId } }, body: { provider } });
  const url = res.status === 201 ? res.body.url : undefined;
  if (!url) throw new Error(`connect link refused: ${res.status} ${res.status === 201 ? '' : JSON.stringify(res.body)}`);
  const result = await completeConnectLink(url, email);
  const ok = result.status === 200 && result.body.includes('Calendar connected');
  process.stdout.write(ok ? `Connected ${userId} to ${email}.\n` : `Not connected (${result.status}): ${result.location ?? ''}\n`);
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
