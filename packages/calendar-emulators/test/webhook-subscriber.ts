import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP server playing the app's webhook endpoint for the Microsoft sandbox's change
// notifications: it records every request and answers as each path is told to. Tests wait
// for what they expect to arrive (`waitFor`), never for time to pass.

export interface ReceivedRequest {
  method: string;
  path: string;
  /** The raw query string, as sent (to check its encoding). */
  rawQuery: string;
  query: URLSearchParams;
  contentType: string;
  text: string;
  /** The JSON body, when there is one. */
  json: unknown;
  /** Set when the request carried ?validationToken (the decoded value). */
  validationToken?: string;
}

/** How a path answers: validation requests and notifications separately. */
export interface PathBehaviour {
  /** Defaults to echoing the token as text/plain 200. */
  validation?: 'echo' | 'wrong-token' | 'no-answer' | 'json' | { status: number };
  /** Status for notifications (default 202); a list is used up one answer at a time, its last entry then repeats. */
  notifications?: number | number[] | 'hold';
}

export interface Subscriber {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: ReceivedRequest[];
  behave(path: string, behaviour: PathBehaviour): void;
  /** Resolves with the requests once `predicate` holds for them; rejects after `timeoutMs`. */
  waitFor(predicate: (requests: ReceivedRequest[]) => boolean, what: string, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Notifications on `path`, oldest first (validation requests left out). */
  notifications(path: string): ReceivedRequest[];
  /** Answers every held notification with 202. */
  releaseHeld(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

export async function startSubscriber(): Promise<Subscriber> {
  const requests: ReceivedRequest[] = [];
  const behaviours = new Map<string, PathBehaviour>();
  const answered = new Map<string, number>();
  const held: ServerResponse[] = [];
  const events = new EventEmitter();

  const answerValidation = (res: ServerResponse, token: string, behaviour: PathBehaviour['validation']): void => {
    if (behaviour === 'no-answer') {
      held.push(res);
      return;
    }
    if (typeof behaviour === 'object') {
      res.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end('refused');
      return;
    }
    const contentType = behaviour === 'json' ? 'application/json' : 'text/plain; charset=utf-8';
    res.writeHead(200, { 'content-type': contentType }).end(behaviour === 'wrong-token' ? 'not-the-token' : token);
  };

  const answerNotification = (res: ServerResponse, path: string, behaviour: PathBehaviour['notifications']): void => {
    if (behaviour === 'hold') {
      held.push(res);
      return;
    }
    const statuses = Array.isArray(behaviour) ? behaviour : [behaviour ?? 202];
    const count = answered.get(path) ?? 0;
    answered.set(path, count + 1);
    const status = statuses[Math.min(count, statuses.length - 1)] ?? 202;
    res.writeHead(status).end();
  };

  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const url = new URL(req.url ?? '/', 'http://subscriber');
      const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
      const token = url.searchParams.get('validationToken') ?? undefined;
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        rawQuery,
        query: url.searchParams,
        contentType: req.headers['content-type'] ?? '',
        text,
        json: parseJson(text),
        ...(token !== undefined ? { validationToken: token } : {}),
      };
      requests.push(received);
      const behaviour = behaviours.get(url.pathname) ?? {};
      if (token !== undefined) answerValidation(res, token, behaviour.validation);
      else answerNotification(res, url.pathname, behaviour.notifications);
      events.emit('request');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    behave(path, behaviour) {
      behaviours.set(path, behaviour);
    },
    waitFor(predicate, what, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate(requests)) return;
          cleanup();
          resolve(requests);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `subscriber: timed out waiting for ${what}; received ${JSON.stringify(requests.map((r) => `${r.method} ${r.path}?${r.rawQuery}`))}`,
            ),
          );
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          events.off('request', check);
        };
        events.on('request', check);
        check();
      });
    },
    notifications(path) {
      return requests.filter((request) => request.path === path && request.validationToken === undefined);
    },
    releaseHeld() {
      for (const res of held.splice(0)) if (!res.writableEnded) res.writeHead(202).end();
    },
    close() {
      return new Promise((resolve) => {
        for (const res of held.splice(0)) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
