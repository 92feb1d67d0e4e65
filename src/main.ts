import { parseCommand, runJob } from './cli/commands';
import { ConfigError } from './config';
import { runUntilStopped, serve } from './serve';

/**
 * The service's entry: `node dist/main.js [all|api|worker]` (or `tsx src/main.ts`) serves;
 * `node dist/main.js migrate|reencrypt` runs that job and exits. Everything comes from the
 * environment; nothing is started beside the service. `npm start` runs
 * `tools/dev/start.ts` instead, which brings up development infrastructure first.
 */

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const command = parseCommand(process.argv[2]);
  if (command.kind === 'job') {
    process.exitCode = await runJob(command.job, process.env, (text) => process.stdout.write(text));
    return;
  }
  const { role } = command;
  const serving = await serve(process.env, role);
  say(`Booking calendar sync is running (${role}).`);
  runUntilStopped(serving, say);
}

main().catch((err: unknown) => {
  say(err instanceof ConfigError ? err.message : `Failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
