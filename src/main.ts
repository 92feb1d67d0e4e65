import { parseCommand } from './cli/commands';
import { runOperatorCommand } from './cli/operator';
import { EXIT, UsageError } from './cli/usage';
import { ConfigError } from './config';
import { runUntilStopped, serve } from './serve';

/**
 * The service's entry: `node dist/main.js [all|api|worker]` (or `tsx src/main.ts`) serves;
 * `node dist/main.js <command>` (the `calsync` bin: migrate, keys reencrypt, resync, booking
 * history, notifications redeliver; see src/cli/help.ts) runs an operator command and exits.
 * Everything comes from the environment; nothing is started beside the service. `npm start` runs
 * `tools/dev/start.ts` instead, which brings up development infrastructure first.
 */

const say = (line: string) => process.stderr.write(`${line}\n`);
/** Set once the command line named an operator command: a failure then is the command's, not a start's. */
let operator = false;

async function main(): Promise<void> {
  const command = parseCommand(process.argv[2]);
  operator = command.kind === 'operator';
  if (command.kind === 'operator') {
    process.exitCode = await runOperatorCommand(process.argv.slice(2), process.env, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    });
    return;
  }
  const { role } = command;
  const serving = await serve(process.env, role);
  say(`Booking calendar sync is running (${role}).`);
  runUntilStopped(serving, say);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    say(`calsync: ${err.message}`);
    if (err.help) say(`\n${err.help.trimEnd()}`);
    process.exit(EXIT.usage);
  }
  say(
    err instanceof ConfigError
      ? err.message
      : `${operator ? 'Failed' : 'Failed to start'}: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(EXIT.failure);
});
