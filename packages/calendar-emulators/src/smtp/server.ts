import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { serveSandbox, type ListenOptions } from '../shared/server';
import { createSmtpSandboxApp } from './app';
import { SmtpSandboxStore } from './store';

export interface SmtpSandboxOptions {
  /** The SMTP port; 0 or absent: a free one. */
  smtpPort?: number;
  /** The page and JSON API's port; 0 or absent: a free one. */
  httpPort?: number;
  /** Defaults to 127.0.0.1: the sandbox accepts any login and should not be reachable from outside. */
  host?: string;
}

export interface RunningSmtpSandbox {
  /** Where to send: `smtp://127.0.0.1:<port>` (plain SMTP; any user and password are accepted). */
  smtpUrl: string;
  smtpPort: number;
  /** The page listing messages, and the JSON API under /sandbox. */
  url: string;
  store: SmtpSandboxStore;
  close(): Promise<void>;
}

/** A reply code on an error makes smtp-server answer with it. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function addressOf(address: SMTPServerAddress | false): string | null {
  return address ? address.address : null;
}

/**
 * A local SMTP server that keeps what it receives in memory (parsed with mailparser) and shows it
 * on a page: where `npm start` and the tests send invitations. Plain SMTP without TLS, any
 * credentials accepted; refusals on demand (451 at the end of DATA) to exercise retries, and
 * acceptances held unanswered on demand to exercise a sender crashing after the server took a mail.
 */
export async function startSmtpSandbox(options: SmtpSandboxOptions = {}): Promise<RunningSmtpSandbox> {
  const host = options.host ?? '127.0.0.1';
  const store = new SmtpSandboxStore();
  const smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'sandbox' });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (store.takeRefusal()) {
          callback(smtpError(451, 'Sandbox refuses this delivery on purpose, try again later'));
          return;
        }
        const envelope = {
          from: addressOf(session.envelope.mailFrom),
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        store.accept(Buffer.concat(chunks), envelope).then(
          () => store.answer(() => callback()),
          () => callback(smtpError(554, 'Sandbox could not parse the message')),
        );
      });
    },
  });
  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, host, () => {
      smtp.off('error', reject);
      resolve((smtp.server.address() as AddressInfo).port);
    });
  });
  const listen: ListenOptions = { port: options.httpPort ?? 0, host };
  const http = await serveSandbox(createSmtpSandboxApp(store), listen);
  const urlHost = http.url.replace(/^http:\/\//, '').replace(/:\d+$/, '');
  let closing: Promise<void> | undefined;
  return {
    smtpUrl: `smtp://${urlHost}:${smtpPort}`,
    smtpPort,
    url: http.url,
    store,
    close() {
      store.release();
      closing ??= Promise.all([new Promise<void>((resolve) => smtp.close(() => resolve())), http.close()]).then(() => undefined);
      return closing;
    },
  };
}
