// Runs the SMTP sandbox on its own: `npm run smtp -w calendar-emulators` (from the root:
// `npm run sandbox:smtp`). `npm start` embeds it instead.
import { envPort, runSandboxCli } from '../shared/cli';
import { startSmtpSandbox } from './server';

runSandboxCli(async () => {
  const sandbox = await startSmtpSandbox({
    smtpPort: envPort('SMTP_SANDBOX_PORT', '2525'),
    httpPort: envPort('SMTP_SANDBOX_HTTP_PORT', '4012'),
    host: process.env['SMTP_SANDBOX_HOST'] ?? '127.0.0.1',
  });
  process.stdout.write(`SMTP sandbox: ${sandbox.smtpUrl} (messages: ${sandbox.url})\n`);
  return sandbox;
});
