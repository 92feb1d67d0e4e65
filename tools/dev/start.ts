import path from 'node:path';
import { startGoogleSandbox } from 'calendar-emulators/google';
import { startMicrosoftSandbox } from 'calendar-emulators/microsoft';
import { startSmtpSandbox } from 'calendar-emulators/smtp';
import { ConfigError } from '../../src/config';
import { parseRole, runUntilStopped, serve } from '../../src/serve';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { ensureDevSecrets } from './dev-secrets';
import { startDevServer } from './dev-server';
import { startEmbeddedPostgres } from './embedded-postgres';
import { ensureTemporalCli } from './temporal-cli';

/**
 * `npm start`: the whole service in one command. It brings up what the environment does not
 * name: generated secrets under .data/, a Temporal dev server with its Web UI (persistent SQLite
 * file), an embedded PostgreSQL when DATABASE_URL is unset, and the Google and Microsoft
 * emulators when no credentials for them are configured, and an SMTP sandbox for invitations
 * when SMTP_URL is unset; then runs the service (`src/serve.ts`)
 * in this process. Production runs `src/main.ts`, which starts none of this.
 */

const DATA_DIR = path.resolve(process.env.DATA_DIR ?? '.data');
const SANDBOX_CLIENT = { id: 'sandbox-client-id.apps.sandbox', secret: 'sandbox-client-secret' };
const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const role = parseRole(process.argv[2]);
  if (process.env.NODE_ENV === 'production') {
    say('npm start runs the development stack; in production run `node dist/main.js` (see the README).');
    process.exit(2);
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  const cleanups: Array<() => Promise<void>> = [];
  const notes: string[] = [];

  const secrets = ensureDevSecrets(DATA_DIR);
  if (!env.API_KEYS) {
    env.API_KEYS = secrets.apiKey;
    notes.push(
      `API key:         ${secrets.files.apiKey}  (use: Authorization: Bearer $(cat ${path.relative(process.cwd(), secrets.files.apiKey)}))`,
    );
  }
  if (!env.CODEC_API_KEYS) {
    env.CODEC_API_KEYS = secrets.codecKey;
    notes.push(
      `Codec key:       ${secrets.files.codecKey}  (temporal workflow show … --codec-endpoint http://localhost:${env.PORT ?? 3000}/codec --codec-auth "Bearer $(cat ${path.relative(process.cwd(), secrets.files.codecKey)})")`,
    );
  }
  // The dev server's Web UI calls /codec from the browser without a key (src/config.ts refuses this in production).
  env.CODEC_OPEN_IN_DEVELOPMENT ??= 'true';
  if (!env.WEBHOOK_SECRET) {
    env.WEBHOOK_SECRET = secrets.webhookSecret;
    notes.push(`Webhook secret:  ${secrets.files.webhookSecret}`);
  }
  if (!env.ENCRYPTION_KEYS) {
    env.ENCRYPTION_KEYS = secrets.encryptionKeys;
    notes.push(`Encryption key:  ${secrets.files.encryptionKeys}`);
  }

  if (!env.TEMPORAL_ADDRESS) {
    const binary = await ensureTemporalCli({ log: say });
    const devServer = await startDevServer({
      binary,
      dbFile: path.join(DATA_DIR, 'temporal.db'),
      port: 7233,
      uiPort: 8233,
      // The Web UI decrypts payloads through this service's codec server.
      uiCodecEndpoint: `http://localhost:${env.PORT ?? 3000}/codec`,
      searchAttributes: { ...SEARCH_ATTRIBUTES },
      log: say,
    });
    cleanups.push(() => devServer.stop());
    env.TEMPORAL_ADDRESS = devServer.address;
    if (devServer.uiUrl) notes.push(`Temporal Web UI: ${devServer.uiUrl}`);
  }

  if (!env.DATABASE_URL) {
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'postgres'), log: say });
    cleanups.push(() => embedded.stop());
    env.DATABASE_URL = embedded.url;
    notes.push(`Database:        embedded PostgreSQL in ${path.join(DATA_DIR, 'postgres')} (${embedded.url})`);
  }

  if (!env.GOOGLE_CLIENT_ID) {
    const google = await startGoogleSandbox({
      port: Number(env.SANDBOX_GOOGLE_PORT ?? 3010),
      clientId: SANDBOX_CLIENT.id,
      clientSecret: SANDBOX_CLIENT.secret,
    });
    cleanups.push(() => google.close());
    Object.assign(env, {
      GOOGLE_CLIENT_ID: SANDBOX_CLIENT.id,
      GOOGLE_CLIENT_SECRET: SANDBOX_CLIENT.secret,
      GOOGLE_AUTH_URL: `${google.url}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${google.url}/token`,
      GOOGLE_REVOKE_URL: `${google.url}/revoke`,
      GOOGLE_API_URL: google.url,
    });
    // The emulators call http addresses too, so push works locally: user changes arrive at once.
    env.PUSH_NOTIFICATIONS ??= 'on';
    notes.push(`Google sandbox:  ${google.url}  (calendars: ${google.url}/sandbox/accounts/<email>/events)`);
  }

  if (!env.MICROSOFT_CLIENT_ID) {
    const microsoft = await startMicrosoftSandbox({
      port: Number(env.SANDBOX_MICROSOFT_PORT ?? 3011),
      clientId: SANDBOX_CLIENT.id,
      clientSecret: SANDBOX_CLIENT.secret,
    });
    cleanups.push(() => microsoft.close());
    Object.assign(env, {
      MICROSOFT_CLIENT_ID: SANDBOX_CLIENT.id,
      MICROSOFT_CLIENT_SECRET: SANDBOX_CLIENT.secret,
      MICROSOFT_LOGIN_URL: microsoft.url,
      MICROSOFT_GRAPH_URL: `${microsoft.url}/v1.0`,
    });
    notes.push(
      `Microsoft sandbox: ${microsoft.url}  (sign-in, Graph /me and calendars; events: ${microsoft.url}/sandbox/accounts/<email>/events)`,
    );
  }

  if (!env.SMTP_URL) {
    const smtp = await startSmtpSandbox({
      smtpPort: Number(env.SANDBOX_SMTP_PORT ?? 2525),
      httpPort: Number(env.SANDBOX_SMTP_HTTP_PORT ?? 3012),
    });
    cleanups.push(() => smtp.close());
    env.SMTP_URL = smtp.smtpUrl;
    // Participants without a connected calendar are mailed invitations, which land here.
    env.INVITATIONS ??= 'unconnected';
    env.INVITATION_FROM ??= 'Bookings <bookings@sandbox.test>';
    notes.push(`SMTP sandbox:    ${smtp.smtpUrl}  (invitations sent: ${smtp.url}, JSON: ${smtp.url}/sandbox/messages)`);
  }

  const serving = await serve(env, role);

  say('');
  say(`Booking calendar sync is running (${role}).`);
  if (serving.port !== undefined) say(`API:             http://localhost:${serving.port}`);
  for (const note of notes) say(note);
  say('');

  runUntilStopped(serving, say, async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
}

main().catch((err: unknown) => {
  say(err instanceof ConfigError ? err.message : `Failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
