// Runs the Microsoft sandbox on its own: `npm run microsoft -w calendar-emulators`.
// Handy for clicking through the consent page.
import pino from 'pino';
import { envPort, runSandboxCli } from '../shared/cli';
import { startMicrosoftSandbox } from './server';

runSandboxCli(async () => {
  const logger = pino({ name: 'microsoft-sandbox' });
  const sandbox = await startMicrosoftSandbox({
    port: envPort('MICROSOFT_SANDBOX_PORT', '4011'),
    host: process.env['MICROSOFT_SANDBOX_HOST'] ?? '127.0.0.1',
    clientId: process.env['MICROSOFT_CLIENT_ID'] ?? 'sandbox-microsoft-client-id',
    clientSecret: process.env['MICROSOFT_CLIENT_SECRET'] ?? 'sandbox-microsoft-client-secret',
    logger,
  });
  logger.info({ loginUrl: sandbox.url, graphUrl: `${sandbox.url}/v1.0` }, 'Microsoft sandbox listening');
  return sandbox;
});
