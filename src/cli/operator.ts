import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resyncAccounts } from '../application/account-resync';
import { BookingArchive } from '../application/booking-archive';
import { Notifications } from '../application/notifications';
import { bookingHistoryQuerySchema } from '../api/schemas';
import { PgNotificationStore } from '../db/notifications';
import { createRepositories } from '../db/repositories';
import { SecretBox } from '../crypto/secret-box';
import { idSchema } from '../domain/booking-input-schemas';
import { WorkflowGateway } from '../temporal/workflow-gateway';
import { runJob, type JobName } from './commands';
import { HELP } from './help';
import { historyText, redeliveryText, resyncText } from './operator-output';
import { withOperatorContext } from './operator-context';
import { EXIT, UsageError } from './usage';

export interface OperatorIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

type Options = NonNullable<ParseArgsConfig['options']>;
const COMMON: Options = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

interface Parsed {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** Parses one command's arguments; anything unknown or missing is a usage error showing its help. */
function parse(args: string[], help: string, positionals: string[], extra: Options = {}): Parsed | 'help' {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options: { ...COMMON, ...extra }, allowPositionals: true, strict: true }) as Parsed;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), help);
  }
  if (parsed.values.help) return 'help';
  if (parsed.positionals.length !== positionals.length) {
    const what = positionals.length === 0 ? 'no argument' : positionals.map((p) => `<${p}>`).join(' ');
    throw new UsageError(`expected ${what}, got ${parsed.positionals.length === 0 ? 'none' : parsed.positionals.join(' ')}`, help);
  }
  return parsed;
}

function checkedId(what: string, value: string, help: string): string {
  const checked = idSchema(what).safeParse(value);
  if (!checked.success) throw new UsageError(checked.error.issues[0]?.message ?? `${what} is not valid`, help);
  return checked.data;
}

/** A notification's id as stored (uuids, or ids derived from an event): printable, bounded. */
function checkedNotificationId(value: string, help: string): string {
  if (value.length < 1 || value.length > 200 || /[^\x21-\x7e]/.test(value))
    throw new UsageError('notificationId must be 1-200 printable characters without spaces', help);
  return value;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

async function job(name: JobName, args: string[], help: string, env: NodeJS.ProcessEnv, io: OperatorIo): Promise<number> {
  const parsed = parse(args, help, []);
  if (parsed === 'help') return showHelp(help, io);
  return runJob(name, env, io.out, parsed.values.json ? 'json' : 'text');
}

async function resync(args: string[], env: NodeJS.ProcessEnv, io: OperatorIo): Promise<number> {
  const parsed = parse(args, HELP.resync, ['userId|connectionId']);
  if (parsed === 'help') return showHelp(HELP.resync, io);
  const id = checkedId('userId or connectionId', parsed.positionals[0]!, HELP.resync);
  return withOperatorContext(env, async ({ config, pool, temporal }) => {
    const accounts = createRepositories(pool, new SecretBox(config.encryptionKeys)).calendarAccounts;
    const workflows = new WorkflowGateway(await temporal(), config.temporal);
    const result = await resyncAccounts({ accounts, workflows }, id);
    if (!result.ok) {
      io.err(`No calendar account has id ${id}, and no user ${id} has a calendar account that is not disconnected.\n`);
      return EXIT.failure;
    }
    io.out(parsed.values.json ? json(result.value) : resyncText(result.value));
    return EXIT.ok;
  });
}

async function bookingHistory(args: string[], env: NodeJS.ProcessEnv, io: OperatorIo): Promise<number> {
  const help = HELP.bookingHistory;
  const parsed = parse(args, help, ['bookingId'], { limit: { type: 'string' }, cursor: { type: 'string' } });
  if (parsed === 'help') return showHelp(help, io);
  const bookingId = checkedId('bookingId', parsed.positionals[0]!, help);
  // The route's own query rules, so the command takes what the API takes.
  const query = bookingHistoryQuerySchema.safeParse({
    ...(parsed.values.limit !== undefined ? { limit: parsed.values.limit } : {}),
    ...(parsed.values.cursor !== undefined ? { cursor: parsed.values.cursor } : {}),
  });
  if (!query.success) {
    const issue = query.error.issues[0];
    throw new UsageError(`--${String(issue?.path[0] ?? 'limit')}: ${issue?.message ?? 'not valid'}`, help);
  }
  return withOperatorContext(env, async ({ config, pool }) => {
    // As the API builds it (src/application/index.ts), so the command shows what the route shows.
    const repositories = createRepositories(pool, new SecretBox(config.encryptionKeys));
    const archive = new BookingArchive({
      history: repositories.bookingHistory,
      userBookings: repositories.userBookings,
      exists: async (id) => (await repositories.bookings.loadStatus(id)) !== null,
    });
    const result = await archive.history(bookingId, query.data);
    if (!result.ok) {
      io.err(
        result.error === 'booking_not_found'
          ? `No booking ${bookingId} is recorded.\n`
          : 'That cursor is not one of this history; pass a cursor a previous page printed, or none.\n',
      );
      return result.error === 'booking_not_found' ? EXIT.failure : EXIT.usage;
    }
    const page = { bookingId, ...result.value };
    io.out(parsed.values.json ? json(page) : historyText(page));
    return EXIT.ok;
  });
}

async function redeliver(args: string[], env: NodeJS.ProcessEnv, io: OperatorIo): Promise<number> {
  const help = HELP.notificationsRedeliver;
  const parsed = parse(args, help, ['notificationId']);
  if (parsed === 'help') return showHelp(help, io);
  const id = checkedNotificationId(parsed.positionals[0]!, help);
  return withOperatorContext(env, async ({ config, pool, temporal }) => {
    const store = new PgNotificationStore(pool);
    // The status before, for the operator's answer (the redelivery itself reports the record after).
    const before = await store.get(id);
    const result = await new Notifications({
      store,
      // Temporal is reached only when there is something to deliver.
      workflows: {
        deliverNotification: async (n, retryForMs, open) =>
          new WorkflowGateway(await temporal(), config.temporal).deliverNotification(n, retryForMs, open),
      },
      notifyUrl: config.notifyUrl,
      retryForMs: config.notifyRetryForMs,
    }).redeliver(id);
    if (!result.ok) {
      io.err(
        result.error === 'notification_not_found'
          ? `No notification ${id} is stored.\n`
          : 'NOTIFY_URL is not set: this deployment sends no notifications, so none is redelivered.\n',
      );
      return EXIT.failure;
    }
    const redelivered = { id, previousStatus: before?.status ?? result.value.status };
    io.out(parsed.values.json ? json(redelivered) : redeliveryText(redelivered));
    return EXIT.ok;
  });
}

function showHelp(help: string, io: OperatorIo): number {
  io.out(help);
  return EXIT.ok;
}

/** `group sub ...`: the sub-command's arguments, 'help' for the group's help, or a usage error naming what the group has. */
function sub(args: string[], help: string, known: string): string[] | 'help' {
  const [name, ...rest] = args;
  if (name === '--help' || name === '-h') return 'help';
  if (name !== known) throw new UsageError(name === undefined ? 'a command is missing' : `unknown command "${name}"`, help);
  return rest;
}

/**
 * Runs an operator command (`argv` after the program name) and returns the exit code. A usage
 * error is thrown as UsageError; a configuration error as ConfigError.
 */
export async function runOperatorCommand(argv: string[], env: NodeJS.ProcessEnv, io: OperatorIo): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'migrate':
      return job('migrate', args, HELP.migrate, env, io);
    case 'reencrypt':
      return job('reencrypt', args, HELP.keysReencrypt, env, io);
    case 'keys': {
      const rest = sub(args, HELP.keysReencrypt, 'reencrypt');
      return rest === 'help' ? showHelp(HELP.keysReencrypt, io) : job('reencrypt', rest, HELP.keysReencrypt, env, io);
    }
    case 'resync':
      return resync(args, env, io);
    case 'booking': {
      const rest = sub(args, HELP.bookingHistory, 'history');
      return rest === 'help' ? showHelp(HELP.bookingHistory, io) : bookingHistory(rest, env, io);
    }
    case 'notifications': {
      const rest = sub(args, HELP.notificationsRedeliver, 'redeliver');
      return rest === 'help' ? showHelp(HELP.notificationsRedeliver, io) : redeliver(rest, env, io);
    }
    case 'help':
    case '--help':
    case '-h':
      return showHelp(HELP.main, io);
    default:
      throw new UsageError(`unknown command "${command}"`, HELP.main);
  }
}
