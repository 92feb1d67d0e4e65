import express, { type Express } from 'express';
import { accessLog } from './api/access-log';
import { opsRoutes, type ProcessState } from './api/routes/ops';
import { findFreePort } from './net/free-port';
import { countOpenBookingsWith } from './metrics/metrics';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import type { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createApp } from './api/app';
import { OAuthConnect } from './account-access/oauth-connect';
import type { AppConfig } from './config';
import { ChannelSecrets } from './crypto/channel-secret';
import { SecretBox } from './crypto/secret-box';
import { Signer } from './crypto/signer';
import { createRepositories } from './db/repositories';
import { BookingPersonalSeal } from './db/booking-personal-data';
import { sealClearBookings } from './db/seal-clear-bookings';
import type { Logger } from './logging';
import { smtpMailer } from './mail/smtp-mailer';
import { createProviderRegistry } from './providers';
import { installTemporalRuntime } from './temporal-runtime';
import { connectClient, connectWorker } from './temporal/connect';
import { describeTemporalConnection } from './temporal/connection-settings';
import { dataConverter } from './temporal/data-converter';
import { EncryptionCodec } from './temporal/payload-codec';
import { WorkflowGateway } from './temporal/workflow-gateway';
import { createWorker } from './worker';
import { ensureRetentionSchedule } from './temporal/retention-schedule';
import { startTracing } from './telemetry/tracing';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** How long a webhook event id is remembered: longer than any sender retries a delivery. */
const WEBHOOK_RECEIPT_DAYS = 30;

export interface ServiceOptions {
  config: AppConfig;
  pool: Pool;
  logger: Logger;
  /** Run a worker in this process (npm start, tests). */
  worker: boolean;
  /** Serve the HTTP API in this process. */
  api: boolean;
  workflowBundle?: WorkflowBundleOption;
  /** Spans go here instead of OTLP, tracing on whatever the configuration says (tests). */
  spanExporter?: SpanExporter;
}

export interface RunningService {
  /** Base URL of the API when it is served. */
  url: string | undefined;
  /** The HTTP app when served (its routes are what /openapi.json must describe). */
  app: Express | undefined;
  client: Client;
  readonly worker: Worker | undefined;
  /** Stops this process's worker and starts a fresh one (tests: a worker restart mid-flight). */
  restartWorker(): Promise<void>;
  /**
   * Settles with the reason when the worker stops without being asked to (its `run()` rejected
   * or ended); the process should then exit non-zero. Never settles otherwise.
   */
  readonly workerFailed: Promise<Error>;
  /** Shutdown begins: /readyz answers 503 from now on, while requests are still served. */
  beginShutdown(): void;
  /**
   * Drains and stops: readiness off, the worker shut down (activities get `shutdownGraceTime`,
   * then are cancelled), then the HTTP server closed once in-flight requests have finished
   * (cut off after the same grace time), then the Temporal connections.
   */
  close(): Promise<void>;
}

/** Stops accepting connections and waits for in-flight requests, cutting off what is left after `graceMs`. */
async function closeServer(server: Server, graceMs: number): Promise<void> {
  const cutOff = setTimeout(() => server.closeAllConnections(), graceMs);
  cutOff.unref();
  try {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  } finally {
    clearTimeout(cutOff);
  }
}

/** Assembles the service's parts from configuration; the one place they are wired together. */
export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const { config, pool, logger } = opts;
  // Core's own metrics go to a free loopback port; /metrics relays them.
  installTemporalRuntime(logger, { metricsPort: await findFreePort() });
  const tracing = startTracing(config.tracing, opts.spanExporter);
  if (tracing.enabled) logger.info({ serviceName: config.tracing.serviceName }, 'OpenTelemetry tracing on');
  const box = new SecretBox(config.encryptionKeys);
  const repositories = createRepositories(pool, box);
  // Bookings recorded before their personal data was sealed (migration 0027) are sealed now: SQL
  // cannot. A database that does not answer yet does not stop the start (the API answers 503 until
  // it does; rows in clear are read as such and sealed at the next start or by `reencrypt`).
  await sealClearBookings(pool, new BookingPersonalSeal(box)).then(
    (sealed) => sealed > 0 && logger.info({ bookings: sealed }, 'sealed the personal data of bookings recorded in clear'),
    (err: unknown) => logger.warn({ err: String(err) }, 'could not seal bookings recorded in clear; the next start tries again'),
  );
  const { calendarAccounts } = repositories;
  const providers = createProviderRegistry(config);
  countOpenBookingsWith(() => repositories.bookings.countOpen());

  logger.info({ temporal: describeTemporalConnection(config.temporal) }, 'connecting to Temporal');
  const connection = await connectClient(config.temporal);
  const codec = new EncryptionCodec(config.encryptionKeys, { plainAcceptedUntilMs: config.payloadPlaintextAcceptedUntilMs });
  if (config.payloadPlaintextAcceptedUntilMs !== undefined && config.payloadPlaintextAcceptedUntilMs > Date.now()) {
    logger.warn(
      { until: new Date(config.payloadPlaintextAcceptedUntilMs).toISOString() },
      'PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL: plain Temporal payloads are accepted until then',
    );
  }
  const channelSecrets = new ChannelSecrets(config.encryptionKeys);
  const { invitations } = config;
  // Configuration checked that both are set when invitations are on.
  const mailer = invitations.mode !== 'off' && invitations.smtpUrl && invitations.from ? smtpMailer(invitations.smtpUrl) : undefined;
  const converter = dataConverter(codec);
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: converter,
    interceptors: { workflow: tracing.clientInterceptors },
  });
  const workflows = new WorkflowGateway(client, config.temporal);

  let worker: Worker | undefined;
  let workerDone: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  let shuttingDown = false;
  /** Set while this process stops its own worker (shutdown, a restart): its end is then expected. */
  let stoppingWorker = false;
  let reportWorkerFailure: (err: Error) => void = () => undefined;
  const workerFailed = new Promise<Error>((resolve) => (reportWorkerFailure = resolve));
  const processState: ProcessState = {
    shuttingDown: () => shuttingDown,
    worker: () => (opts.worker ? (worker?.getState() === 'RUNNING' ? 'running' : 'stopped') : undefined),
  };
  const startWorker = async (): Promise<void> => {
    nativeConnection ??= await connectWorker(config.temporal);
    const started = await createWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: {
        ...repositories,
        providers,
        reminders: config.eventReminders,
        eventTemplates: config.eventTemplates,
        logger,
        busyPollIntervalMs: config.busyPollIntervalMs,
        busyWindowMs: config.busyWindowMs,
        externalEditPolicy: config.externalEditPolicy,
        ...(config.notifyUrl
          ? {
              notify: {
                url: config.notifyUrl,
                secret: config.webhookSecret,
                standardSecrets: config.notifySecrets,
                retryForMs: config.notifyRetryForMs,
              },
            }
          : {}),
        ...(mailer && invitations.mode !== 'off'
          ? { invitations: { mode: invitations.mode, from: invitations.from!, mailer, uidHost: new URL(config.publicBaseUrl).hostname } }
          : {}),
        ...(config.pushNotifications
          ? { push: { publicBaseUrl: config.publicBaseUrl, ttlMs: config.pushChannelTtlMs, secrets: channelSecrets } }
          : {}),
      },
      dataConverter: converter,
      workflowBundle: opts.workflowBundle,
      shutdownGraceTimeMs: config.shutdown.graceMs,
      maxCachedWorkflows: config.maxCachedWorkflows,
      tracing,
    });
    worker = started;
    // Core can leave run() pending after the worker has failed (a fatal poll error): its state says so first.
    const watch = setInterval(() => {
      if (!stoppingWorker && started.getState() === 'FAILED') reportWorkerFailure(new Error('the worker failed'));
    }, 1_000);
    watch.unref();
    workerDone = started
      .run()
      .finally(() => clearInterval(watch))
      .then(
        () => {
          if (!stoppingWorker) reportWorkerFailure(new Error('the worker stopped without being asked to'));
        },
        (err: unknown) => {
          const reason = err instanceof Error ? err : new Error(String(err));
          logger.error({ err: reason.message }, 'worker stopped');
          if (!stoppingWorker) reportWorkerFailure(reason);
        },
      );
  };
  const stopWorker = async (): Promise<void> => {
    stoppingWorker = true;
    try {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      // A failed worker's run() may never settle: there is nothing left to wait for.
      if (worker?.getState() !== 'FAILED') await workerDone;
    } finally {
      stoppingWorker = false;
    }
  };
  if (opts.worker) {
    await startWorker();
    // The retention schedule follows RETENTION; a failure here must not stop the worker (the next start tries again).
    await ensureRetentionSchedule(client, { taskQueue: config.temporal.taskQueue, retentionMs: config.retentionMs }, logger).catch(
      (err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'retention schedule not set up'),
    );
  }

  let server: Server | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let url: string | undefined;
  let app: Express | undefined;
  if (opts.api) {
    const oauthConnect = new OAuthConnect({
      flows: repositories.oauthFlows,
      calendarAccounts,
      providers,
      stateSigner: new Signer(config.encryptionKeys, 'oauth-state'),
      publicBaseUrl: config.publicBaseUrl,
      logger,
      attempts: repositories.connectAttempts,
      limits: config,
      onConnected: (account, created) => workflows.signalConnected(account, !created),
    });
    const httpApp = createApp({
      config,
      codec,
      workflows,
      ...repositories,
      oauthConnect,
      providers,
      settingsSigner: new Signer(config.encryptionKeys, 'settings-link'),
      settingsSessionSigner: new Signer(config.encryptionKeys, 'settings-session'),
      settingsWindowSigner: new Signer(config.encryptionKeys, 'settings-window'),
      logger,
      processState,
      ...(tracing.requestSpans ? { requestSpans: tracing.requestSpans } : {}),
    });
    app = httpApp;
    server = await new Promise<Server>((resolve, reject) => {
      const listening = httpApp.listen(config.port, '0.0.0.0', () => resolve(listening));
      listening.once('error', reject);
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Webhook receipts only need to outlive the sender's redelivery window (days).
    // Expired connect flows are purged as new ones are made, and here for a quiet deployment.
    const purge = () =>
      Promise.all([
        repositories.receipts
          .purgeOlderThan(WEBHOOK_RECEIPT_DAYS)
          .catch((err: unknown) => logger.warn({ err: String(err) }, 'webhook receipt purge failed')),
        repositories.oauthFlows.purgeExpired().catch((err: unknown) => logger.warn({ err: String(err) }, 'connect flow purge failed')),
      ]);
    void purge();
    purgeTimer = setInterval(() => void purge(), 60 * 60_000);
    purgeTimer.unref();
  }
  let opsServer: Server | undefined;
  if (config.metricsPort !== undefined) {
    const metricsPort = config.metricsPort;
    // Every role answers /healthz, /readyz and /metrics on METRICS_PORT, apart from the API: a
    // port for the orchestrator and Prometheus that is not published to clients.
    const opsApp = express();
    opsApp.disable('x-powered-by');
    opsApp.use(accessLog(logger));
    opsApp.use(opsRoutes(repositories.health, workflows, processState, { kind: 'open' }));
    opsServer = await new Promise<Server>((resolve, reject) => {
      const listening = opsApp.listen(metricsPort, '0.0.0.0', () => resolve(listening));
      listening.once('error', reject);
    });
  }

  return {
    url,
    app,
    client,
    get worker() {
      return worker;
    },
    async restartWorker() {
      await stopWorker();
      await startWorker();
    },
    workerFailed,
    beginShutdown() {
      shuttingDown = true;
    },
    async close() {
      shuttingDown = true;
      if (purgeTimer) clearInterval(purgeTimer);
      // The worker first: while it drains, this process still answers (/readyz: 503).
      await stopWorker();
      if (server) await closeServer(server, config.shutdown.graceMs);
      if (opsServer) await closeServer(opsServer, config.shutdown.graceMs);
      await nativeConnection?.close();
      await connection.close();
      mailer?.close();
      await tracing.shutdown();
    },
  };
}
