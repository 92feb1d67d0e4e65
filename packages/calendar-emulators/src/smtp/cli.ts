// Runs the SMTP sandbox on its own: `npm run smtp -w calendar-emulators`.
// `npm start` embeds it instead.
import { startSmtpSandbox } from './server';

function port(name: string, fallback: string): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number, got ${process.env[name]}`);
  return value;
}

async function main(): Promise<void> {
  const sandbox = await startSmtpSandbox({
    smtpPort: port('SMTP_SANDBOX_PORT', '2525'),
    httpPort: port('SMTP_SANDBOX_HTTP_PORT', '4012'),
    host: process.env['SMTP_SANDBOX_HOST'] ?? '127.0.0.1',
  });
  process.stdout.write(`SMTP sandbox: ${sandbox.smtpUrl} (messages: ${sandbox.url})\n`);
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
