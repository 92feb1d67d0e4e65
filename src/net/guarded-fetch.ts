import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { addressPolicy, type PrivateNetworkAllowance, type RefusedClass } from './address-policy';

/** A host's addresses, as `dns.lookup(host, { all: true })` gives them. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/** A connection refused because the host is, or resolves to, an address the deployment does not allow. */
export class AddressRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly addressClass: RefusedClass,
  ) {
    super(`${host === address ? host : `${host} (${address})`}: ${addressClass} address, not allowed for calendar servers`);
    this.name = 'AddressRefusedError';
  }
}

/**
 * The `lookup` of every socket: the host is resolved once, every address it has is judged,
 * and the socket connects to those same addresses, so a name cannot resolve to a public
 * address for the check and to a private one for the connection (DNS rebinding).
 */
function guardedLookup(judge: ReturnType<typeof addressPolicy>, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const usable = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found;
        // One refused address refuses the name: a host that mixes them is not an honest server.
        for (const a of found) {
          const verdict = judge(a.address);
          if (!verdict.ok) return callback(new AddressRefusedError(hostname, a.address, verdict.class), '', 0);
        }
        if (usable.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
          err.code = 'ENOTFOUND';
          return callback(err, '', 0);
        }
        if (options.all) return callback(null, usable);
        return callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** The request's headers as a plain object; a Request's own, then `init`'s. */
function headersOf(input: Request | undefined, init: RequestInit): Record<string, string> {
  const merged = new Headers(input?.headers);
  new Headers(init.headers).forEach((value, name) => merged.set(name, value));
  const out: Record<string, string> = {};
  merged.forEach((value, name) => (out[name] = value));
  return out;
}

async function bodyOf(input: Request | undefined, init: RequestInit): Promise<Buffer | undefined> {
  if (init.body !== undefined && init.body !== null) return Buffer.from(await new Response(init.body).arrayBuffer());
  if (input?.body) return Buffer.from(await input.arrayBuffer());
  return undefined;
}

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A `fetch` whose connections only reach addresses `allow` permits: a literal address in the
 * URL is judged as written (the URL parser has already turned `2130706433`, `0x7f.1` or
 * `[::ffff:127.0.0.1]` into their canonical forms), a name by what it resolves to at connect
 * time (see guardedLookup). It never follows redirects (the caller does, each hop coming back
 * through here), sends no `Accept-Encoding` (so bodies arrive as sent) and accepts http and
 * https only. Refusals reject with AddressRefusedError before any byte is sent.
 */
export function guardedFetch(allow: PrivateNetworkAllowance, resolve: Resolver = systemResolver): typeof fetch {
  const judge = addressPolicy(allow);
  const lookup = guardedLookup(judge, resolve);
  const agents = {
    'http:': new http.Agent({ keepAlive: true, lookup }),
    'https:': new https.Agent({ keepAlive: true, lookup }),
  };
  return async (input, init = {}) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input instanceof URL ? input.href : input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`only http and https URLs are fetched (${url.protocol})`);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    // Node connects to a literal address without calling `lookup`: judge it here.
    if (isIP(host) !== 0) {
      const verdict = judge(host);
      if (!verdict.ok) throw new AddressRefusedError(host, host, verdict.class);
    }
    const signal = init.signal ?? request?.signal ?? undefined;
    signal?.throwIfAborted();
    const body = await bodyOf(request, init);
    const headers = headersOf(request, init);
    if (body) headers['content-length'] = String(body.length);
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    const agent = agents[url.protocol];
    const send = url.protocol === 'https:' ? https.request : http.request;

    return new Promise<Response>((resolveResponse, reject) => {
      const req = send(url, { method, headers, agent });
      let answer: http.IncomingMessage | undefined;
      const onAbort = () => {
        const reason: unknown = signal?.reason;
        const err = reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
        req.destroy(err);
        answer?.destroy(err);
        reject(err);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      req.on('error', (err) => {
        done();
        reject(err);
      });
      req.on('response', (res) => {
        answer = res;
        res.on('close', done);
        try {
          const status = res.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          const stream = NULL_BODY.has(status) || method === 'HEAD' ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          if (!stream) res.resume();
          const response = new Response(stream, { status, statusText: res.statusMessage ?? '', headers: responseHeaders });
          // As fetch's: the URL that answered (tsdav reads it as the href of a non-XML answer).
          Object.defineProperty(response, 'url', { value: url.href });
          resolveResponse(response);
        } catch (err) {
          res.destroy();
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      req.end(body);
    });
  };
}
