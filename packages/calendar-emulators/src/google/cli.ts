// Runs the Google sandbox on its own: `npm run google -w calendar-emulators`.
// Handy for clicking through the consent page; `npm start` embeds it instead.
import pino from 'pino';
import { startGoogleSandbox } from './server';

async function main(): Promise<void> {
  const logger = pino({ name: 'google-sandbox' });
  const port = Number(process.env['GOOGLE_SANDBOX_PORT'] ?? '4010');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`GOOGLE_SANDBOX_PORT must be a port number, got ${process.env['GOOGLE_SANDBOX_PORT']}`);
  }
  const sandbox = await startGoogleSandbox({
    port,
    host: process.env['GOOGLE_SANDBOX_HOST'] ?? '127.0.0.1',
    clientId: process.env['GOOGLE_CLIENT_ID'] ?? 'sandbox-client-id',
    clientSecret: process.env['GOOGLE_CLIENT_SECRET'] ?? 'sandbox-client-secret',
    logger,
  });
  logger.info({ url: sandbox.url }, 'Google sandbox listening');
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
