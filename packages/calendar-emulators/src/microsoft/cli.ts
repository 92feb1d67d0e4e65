// Runs the Microsoft sandbox on its own: `npm run microsoft -w calendar-emulators`.
// Handy for clicking through the consent page.
import pino from 'pino';
import { startMicrosoftSandbox } from './server';

async function main(): Promise<void> {
  const logger = pino({ name: 'microsoft-sandbox' });
  const port = Number(process.env['MICROSOFT_SANDBOX_PORT'] ?? '4011');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`MICROSOFT_SANDBOX_PORT must be a port number, got ${process.env['MICROSOFT_SANDBOX_PORT']}`);
  }
  const sandbox = await startMicrosoftSandbox({
    port,
    host: process.env['MICROSOFT_SANDBOX_HOST'] ?? '127.0.0.1',
    clientId: process.env['MICROSOFT_CLIENT_ID'] ?? 'sandbox-microsoft-client-id',
    clientSecret: process.env['MICROSOFT_CLIENT_SECRET'] ?? 'sandbox-microsoft-client-secret',
    logger,
  });
  logger.info({ loginUrl: sandbox.url, graphUrl: `${sandbox.url}/v1.0` }, 'Microsoft sandbox listening');
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
