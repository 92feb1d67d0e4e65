import type { Pool } from 'pg';
import { SANDBOX_CLIENT, type BenchEnvironment } from '../environment';

const REDIRECT_URI = 'http://127.0.0.1:9/naive/oauth/callback';

/** Gives each user a naive connection: an access token from the sandbox's OAuth, stored as the seeds store it. */
export async function connectNaiveUsers(env: BenchEnvironment, pool: Pool, users: Array<{ userId: string; email: string }>): Promise<void> {
  for (const u of users) {
    const { code } = await env.sandbox.authorize({ email: u.email, clientId: SANDBOX_CLIENT.id, redirectUri: REDIRECT_URI });
    const res = await fetch(`${env.google.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: SANDBOX_CLIENT.id,
        client_secret: SANDBOX_CLIENT.secret,
        redirect_uri: REDIRECT_URI,
      }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!body.access_token) throw new Error(`naive connect for ${u.userId}: token endpoint answered ${res.status}`);
    await pool.query(
      `INSERT INTO naive_calendar_connections (profile_id, access_token) VALUES ($1, $2)
       ON CONFLICT (profile_id) DO UPDATE SET access_token = EXCLUDED.access_token, status = 'active'`,
      [u.userId, body.access_token],
    );
  }
}
