import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { MicrosoftSandboxControl, startMicrosoftSandbox, type RunningMicrosoftSandbox } from '../src/microsoft';

// Connecting to the Microsoft sandbox and calling Graph with plain fetch, for the test
// files that need nothing more (the older ones carry their own copies).

export const CLIENT_ID = '0c1b2a39-5d6e-4f70-8a9b-0c1d2e3f4a5b';
export const CLIENT_SECRET = 'test~microsoft~secret';
export const REDIRECT_URI = 'http://127.0.0.1:9/v1/oauth/microsoft/callback';

export type Json = Record<string, unknown>;

export interface GraphResult {
  status: number;
  headers: Headers;
  body: Json & { error?: { code?: string; message?: string; innerError?: Record<string, string> } };
}

/** Authorizes through the control API and exchanges the code; returns the access token. */
export async function connect(baseUrl: string, email: string, scope?: string): Promise<string> {
  const control = new MicrosoftSandboxControl(baseUrl);
  const { code } = await control.authorize({ email, clientId: CLIENT_ID, redirectUri: REDIRECT_URI, ...(scope ? { scope } : {}) });
  const response = await fetch(`${baseUrl}/common/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: REDIRECT_URI,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  expect(response.status).toBe(200);
  expect(body.access_token).toBeTypeOf('string');
  return String(body.access_token);
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A Graph call; `path` is below /v1.0 or a full URL (a nextLink or deltaLink). */
export async function graph(baseUrl: string, token: string, path: string, options: CallOptions = {}): Promise<GraphResult> {
  const url = /^https?:/.test(path) ? path : `${baseUrl}/v1.0${path}`;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as GraphResult['body']) : {} };
}

export function values(result: GraphResult): Json[] {
  return result.body['value'] as Json[];
}

export function eventPath(id: unknown): string {
  return `/me/events/${encodeURIComponent(String(id))}`;
}

export interface MicrosoftTestSandbox {
  // Functions, not methods: they close over the sandbox, and tests take them out of the object.
  /** Valid inside tests and hooks, once the sandbox has started. */
  readonly url: string;
  readonly control: MicrosoftSandboxControl;
  /** `connect` against this sandbox. */
  connect: (email: string, scope?: string) => Promise<string>;
}

/**
 * Starts a Microsoft sandbox (with the client above) before the file's tests, closes it after
 * them and resets it before each test. Call it at the top of a test file, before the file's
 * own hooks, which then run after these (before) and before these (after).
 */
export function useMicrosoftSandbox(options: { now?: () => number } = {}): MicrosoftTestSandbox {
  let running: RunningMicrosoftSandbox | undefined;
  let control: MicrosoftSandboxControl | undefined;

  beforeAll(async () => {
    running = await startMicrosoftSandbox({ port: 0, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });
    control = new MicrosoftSandboxControl(running.url);
  });

  afterAll(async () => {
    await running?.close();
  });

  beforeEach(async () => {
    await started().control.reset();
  });

  function started(): { url: string; control: MicrosoftSandboxControl } {
    if (!running || !control) throw new Error('the Microsoft sandbox is not running (use it inside tests and hooks)');
    return { url: running.url, control };
  }

  return {
    get url() {
      return started().url;
    },
    get control() {
      return started().control;
    },
    connect: (email, scope) => connect(started().url, email, scope),
  };
}
