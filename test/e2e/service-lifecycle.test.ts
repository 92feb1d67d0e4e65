import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../src/net/free-port';
import { eventually } from '../support/eventually';
import { startGrpcDenyProxy } from '../support/grpc-deny-proxy';
import { registerServiceOrigin } from '../support/service-origins';

/**
 * The service as its own process (`src/main.ts` under tsx), as an orchestrator runs it: a worker
 * that stops makes the process exit non-zero; SIGTERM turns readiness off first and lets
 * in-flight requests finish.
 */

const ROOT = path.resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function startProcess(role: string, env: Record<string, string>): Promise<Started> {
  const port = env.PORT ?? String(await findFreePort());
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'src/main.ts'), role], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `lifecycle-${randomUUID()}`,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      PORT: port,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      API_KEYS: API_KEY,
      WEBHOOK_SECRET: randomBytes(24).toString('hex'),
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('hex')}`,
      API_RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  registerServiceOrigin(`http://127.0.0.1:${port}`);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`the ${role} process exited during start-up:\n${output}`);
      return output.includes('is running') ? true : undefined;
    },
    `the ${role} process to start`,
    120_000,
  );
  return { child, output: () => output, exited };
}

const API_KEY = `test_${randomBytes(24).toString('base64url')}`;

describe('the service process', () => {
  it('exits non-zero when its worker stops; /readyz showed the worker running before', { timeout: 300_000 }, async () => {
    const proxy = await startGrpcDenyProxy(inject('temporalAddress'));
    try {
      const metricsPort = await findFreePort();
      const worker = await startProcess('worker', { TEMPORAL_ADDRESS: proxy.address, METRICS_PORT: String(metricsPort) });
      const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { worker: 'running' } });

      // Temporal starts refusing the worker's polls for good: the SDK retries for about a minute, then fails the worker.
      proxy.denyPolls();
      const code = await Promise.race([worker.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 150_000))]);
      expect(code, worker.output()).toBe(1);
      expect(worker.output()).toContain('The worker stopped');
    } finally {
      await proxy.close();
    }
  });

  it('on SIGTERM answers /readyz with 503 while it drains, finishes an in-flight request, then exits 0', async () => {
    const port = await findFreePort();
    const api = await startProcess('api', { PORT: String(port), SHUTDOWN_DELAY: '3s' });
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // A request in flight: its headers and half its body are sent before SIGTERM.
    const body = JSON.stringify({
      title: 'Maths',
      start: '2031-01-01T10:00:00Z',
      end: '2031-01-01T11:00:00Z',
      timeZone: 'Europe/London',
      participants: [{ userId: 'ada', role: 'tutor', name: 'Ada', email: 'ada@example.com' }],
    });
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /v1/bookings/${randomUUID()}/confirm HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${API_KEY}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
    );

    api.child.kill('SIGTERM');
    const draining = await eventually(
      async () => {
        const res = await fetch(`${base}/readyz`);
        const answer = (await res.json()) as { status: string };
        // A check that began just before the signal may still answer not_ready; the next one says why.
        return res.status === 503 && answer.status === 'shutting_down' ? answer : undefined;
      },
      'readiness to turn off',
      5_000,
    );
    expect(draining).toEqual({ status: 'shutting_down' });
    // After SHUTDOWN_DELAY the listener closes: no new connections...
    await eventually(
      () =>
        fetch(`${base}/healthz`).then(
          () => undefined,
          () => true,
        ),
      'the listener to close',
      10_000,
    );
    // ...but the request in flight is still served once its body arrives.
    socket.write(body.slice(20));
    await eventually(() => (answer.includes('\r\n\r\n') ? true : undefined), 'the in-flight request to be answered', 30_000);
    expect(answer).toMatch(/^HTTP\/1\.1 202 /);
    socket.destroy();
    expect(await api.exited, api.output()).toBe(0);
  });
});
