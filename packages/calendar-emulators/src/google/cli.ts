// Runs the Google sandbox on its own: `npm run google -w calendar-emulators`.
// Handy for clicking through the consent page; `npm start` embeds it instead.
import pino from 'pino';
import { envPort, runSandboxCli } from '../shared/cli';
import { startGoogleSandbox } from './server';

runSandboxCli(async () => {
  const logger = pino({ name: 'google-sandbox' });
  const sandbox = await startGoogleSandbox({
    port: envPort('GOOGLE_SANDBOX_PORT', '4010'),
    host: process.env['GOOGLE_SANDBOX_HOST'] ?? '127.0.0.1',
    clientId: process.env['GOOGLE_CLIENT_ID'] ?? 'sandbox-client-id',
    clientSecret: process.env['GOOGLE_CLIENT_SECRET'] ?? 'sandbox-client-secret',
    logger,
  });
  logger.info({ url: sandbox.url }, 'Google sandbox listening');
  return sandbox;
});
