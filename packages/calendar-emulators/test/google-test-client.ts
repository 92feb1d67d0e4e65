import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { GoogleSandboxControl, startGoogleSandbox, type RunningGoogleSandbox } from '../src/google';

// A Google sandbox for one test file, reset before each test, and its OAuth and Calendar
// API called with plain fetch (the Google counterpart of microsoft-test-client.ts).

export const CLIENT_ID = 'test-client.apps.sandbox';
export const CLIENT_SECRET = 'test-secret';
export const REDIRECT_URI = 'http://127.0.0.1:9/v1/oauth/google/callback';

/** The OAuth client the sandbox accepts and the tests connect with. */
export interface GoogleTestClientIds {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface TokenBody {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  token_type?: string;
  scope?: string;
  error?: string;
  error_description?: string;
}

export interface TokenResult {
  status: number;
  body: TokenBody;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  // Response bodies are JSON of many shapes; tests read them field by field.
  body: Record<string, unknown> & {
    error?: { errors?: Array<{ reason?: string; domain?: string; message?: string }>; code?: number; message?: string };
  };
}

export interface GoogleTestSandbox {
  // Functions, not methods: they close over the sandbox, and tests take them out of the object.
  /** Valid inside tests and hooks, once the sandbox has started. */
  readonly url: string;
  readonly control: GoogleSandboxControl;
  /** POST /token with form parameters (and extra headers, e.g. HTTP Basic). */
  postToken: (params: Record<string, string>, headers?: Record<string, string>) => Promise<TokenResult>;
  /** Exchanges an authorization code as the test client; `extra` adds or overrides parameters. */
  exchange: (code: string, extra?: Record<string, string>) => Promise<TokenResult>;
  /** Authorizes through the control API and exchanges the code; returns the token response. */
  connectTokens: (email: string, scope?: string) => Promise<TokenBody>;
  /** Authorizes through the control API and exchanges the code; returns the access token. */
  connect: (email: string, scope?: string) => Promise<string>;
  /** A Calendar API call; `path` starts below the sandbox's URL, e.g. /calendar/v3/…. */
  api: (token: string | undefined, method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiResult>;
}

/**
 * Starts a Google sandbox before the file's tests, closes it after them and resets it before
 * each test. Call it at the top of a test file, before the file's own hooks, which then run
 * after these (before) and before these (after).
 */
export function useGoogleSandbox(ids: Partial<GoogleTestClientIds> = {}, options: { now?: () => number } = {}): GoogleTestSandbox {
  const client: GoogleTestClientIds = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI, ...ids };
  let running: RunningGoogleSandbox | undefined;
  let control: GoogleSandboxControl | undefined;

  beforeAll(async () => {
    running = await startGoogleSandbox({ port: 0, clientId: client.clientId, clientSecret: client.clientSecret, ...options });
    control = new GoogleSandboxControl(running.url);
  });

  afterAll(async () => {
    await running?.close();
  });

  beforeEach(async () => {
    await started().control.reset();
  });

  function started(): { url: string; control: GoogleSandboxControl } {
    if (!running || !control) throw new Error('the Google sandbox is not running (use it inside tests and hooks)');
    return { url: running.url, control };
  }

  async function postToken(params: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenResult> {
    const response = await fetch(`${started().url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(params),
    });
    return { status: response.status, body: (await response.json()) as TokenBody };
  }

  function exchange(code: string, extra: Record<string, string> = {}): Promise<TokenResult> {
    return postToken({
      grant_type: 'authorization_code',
      code,
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uri: client.redirectUri,
      ...extra,
    });
  }

  async function connectTokens(email: string, scope?: string): Promise<TokenBody> {
    const { code } = await started().control.authorize({
      email,
      clientId: client.clientId,
      redirectUri: client.redirectUri,
      ...(scope ? { scope } : {}),
    });
    const { status, body } = await exchange(code);
    expect(status).toBe(200);
    expect(body.access_token).toBeTypeOf('string');
    return body;
  }

  async function connect(email: string, scope?: string): Promise<string> {
    return String((await connectTokens(email, scope)).access_token);
  }

  async function api(
    token: string | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResult> {
    const response = await fetch(`${started().url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as ApiResult['body']) : {} };
  }

  return {
    get url() {
      return started().url;
    },
    get control() {
      return started().control;
    },
    postToken,
    exchange,
    connectTokens,
    connect,
    api,
  };
}

/** The reason of the first error of a Google error body. */
export function reasonOf(result: ApiResult): string | undefined {
  return result.body.error?.errors?.[0]?.reason;
}
