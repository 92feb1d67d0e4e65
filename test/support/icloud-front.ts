import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Radicale dressed as iCloud: a front host (caldav.icloud.com) that only does discovery and
 * names a calendar home on another, partition host (pNN-caldav.icloud.com), where the calendars
 * live. `mode` picks how the front sends clients on:
 * - `home-set`: like iCloud, the principal's calendar-home-set is an absolute URL on the
 *   partition host; anything but discovery at the front is refused (403);
 * - `redirect`: every request at the front is answered 307 to the partition host;
 * - `foreign-redirect`: 307 to the partition host under another host name (a different site,
 *   which must never receive the password).
 */
export type FrontMode = 'home-set' | 'redirect' | 'foreign-redirect';

export interface RecordedRequest {
  method: string;
  path: string;
}

export interface ICloudLikeServer {
  frontUrl: string;
  partitionUrl: string;
  frontRequests: RecordedRequest[];
  partitionRequests: RecordedRequest[];
  setMode(mode: FrontMode): void;
  close(): Promise<void>;
}

type Rewrite = (body: string) => string;

function forward(target: URL, req: http.IncomingMessage, res: http.ServerResponse, rewrite?: Rewrite): void {
  const headers = { ...req.headers, host: target.host };
  // A body to rewrite must come back uncompressed.
  if (rewrite) delete headers['accept-encoding'];
  const upstream = http.request({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
    if (!rewrite) {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    answer.on('data', (c: Buffer) => chunks.push(c));
    answer.on('end', () => {
      const body = rewrite(Buffer.concat(chunks).toString('utf8'));
      const headers = { ...answer.headers };
      delete headers['content-length'];
      res.writeHead(answer.statusCode ?? 502, headers);
      res.end(body);
    });
  });
  upstream.on('error', () => res.socket?.destroy());
  req.pipe(upstream);
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function startICloudLikeServer(radicaleUrl: string): Promise<ICloudLikeServer> {
  const radicale = new URL(radicaleUrl);
  const frontRequests: RecordedRequest[] = [];
  const partitionRequests: RecordedRequest[] = [];
  let mode: FrontMode = 'home-set';

  const partition = http.createServer((req, res) => {
    partitionRequests.push({ method: req.method ?? '', path: req.url ?? '' });
    forward(radicale, req, res);
  });
  const partitionPort = await listen(partition);
  const partitionUrl = `http://127.0.0.1:${partitionPort}`;

  const front = http.createServer((req, res) => {
    frontRequests.push({ method: req.method ?? '', path: req.url ?? '' });
    const path = req.url ?? '/';
    if (mode !== 'home-set') {
      const host = mode === 'redirect' ? '127.0.0.1' : 'localhost';
      res.writeHead(307, { location: `http://${host}:${partitionPort}${path}` }).end();
      return;
    }
    if (path.startsWith('/.well-known/caldav')) {
      res.writeHead(301, { location: '/' }).end();
      return;
    }
    if (req.method !== 'PROPFIND' || (req.headers.depth ?? '0') !== '0') {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('this host only serves discovery');
      return;
    }
    // The calendar home is named as an absolute URL on the partition host.
    forward(radicale, req, res, (body) =>
      body.replace(
        /(<([\w-]+:)?calendar-home-set[^>]*>\s*<([\w-]+:)?href>)([^<]+)(<)/g,
        (_m, open: string, _p1, _p2, href: string, close: string) => {
          return `${open}${new URL(href, partitionUrl).href}${close}`;
        },
      ),
    );
  });
  const frontPort = await listen(front);

  return {
    frontUrl: `http://127.0.0.1:${frontPort}/`,
    partitionUrl,
    frontRequests,
    partitionRequests,
    setMode(next) {
      mode = next;
    },
    async close() {
      for (const s of [front, partition]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
