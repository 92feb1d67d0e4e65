import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import type { AppConfig } from '../config';
import type { OAuthConnect } from '../account-access/oauth-connect';
import type { Repositories } from '../db/repositories';
import type { Signer } from '../crypto/signer';
import type { Logger } from '../logging';
import type { ProviderRegistry } from '../providers';
import { createApplicationServices } from '../application';
import { SettingsAccess } from '../application/settings-access';
import type { DisplayCodec } from '../temporal/payload-codec';
import type { WorkflowGateway } from '../temporal/workflow-gateway';
import { accessLog } from './access-log';
import { requireApiKey } from './auth';
import { rateLimiter, securityHeaders, settingsFraming } from './http-hardening';
import { ApiError, errorHandler, notFoundHandler } from './errors';
import { bookingRoutes } from './routes/bookings';
import { calendarAccountRoutes } from './routes/calendar-accounts';
import { userErasureRoutes } from './routes/user-erasure';
import { oauthRoutes } from './routes/oauth';
import { metricsOnApiPort, opsRoutes, type ProcessState } from './routes/ops';
import { settingsRoutes } from './routes/settings';
import { webhookRoutes } from './routes/webhooks';
import { availabilityRoutes } from './routes/availability';
import { ChannelSecrets } from '../crypto/channel-secret';
import { UserSubjects } from '../crypto/user-subject';
import { providerWebhookRoutes } from './routes/provider-webhooks';
import { notificationRoutes } from './routes/notifications';
import { Notifications } from '../application/notifications';
import { codecRoutes } from './routes/codec';
import { openApiRoutes } from './routes/openapi';
import { calendarFeedRoutes } from './routes/calendar-feeds';
import { CalendarFeeds } from '../application/calendar-feeds';

/** The repositories the HTTP routes read and write through. */
export type ApiRepositories = Pick<
  Repositories,
  | 'bookings'
  | 'bookingHistory'
  | 'busy'
  | 'channels'
  | 'calendarAccounts'
  | 'connectAttempts'
  | 'externalEdits'
  | 'feedLinks'
  | 'health'
  | 'notifications'
  | 'receipts'
  | 'settingsLinks'
  | 'storedBookings'
  | 'userBookings'
  | 'userErasures'
>;

export interface AppDeps extends ApiRepositories {
  config: Pick<
    AppConfig,
    | 'nodeEnv'
    | 'apiKeys'
    | 'codecApiKeys'
    | 'codecOpenInDevelopment'
    | 'temporal'
    | 'publicBaseUrl'
    | 'icloudCaldavUrl'
    | 'caldav'
    | 'webhookSecret'
    | 'webhookSecrets'
    | 'notifyRetryForMs'
    | 'notifyUrl'
    | 'google'
    | 'microsoft'
    | 'apiRateLimitPerMinute'
    | 'trustProxy'
    | 'maxConnectionsPerUser'
    | 'connectAttemptsPerHour'
    | 'metricsKey'
    | 'temporalUiOrigins'
    | 'settingsFrameAncestors'
    | 'encryptionKeys'
    | 'eventReminders'
    | 'eventTemplates'
  >;
  /** The payload codec the client and workers use, served to the Web UI at /codec. */
  codec: DisplayCodec;
  /** Every Temporal client call the API makes. */
  workflows: WorkflowGateway;
  oauthConnect: OAuthConnect;
  providers: ProviderRegistry;
  /** Signs settings links (purpose `settings-link`). */
  settingsSigner: Signer;
  /** Signs settings session cookies (purpose `settings-session`). */
  settingsSessionSigner: Signer;
  /** Signs the passes that carry a settings session into a new window (purpose `settings-window`). */
  settingsWindowSigner: Signer;
  logger: Logger;
  /** Whether the process is shutting down and how its worker is, for /readyz; none: an API alone. */
  processState?: ProcessState;
  /** The server span of each request (src/telemetry/request-spans.ts), when tracing is on. */
  requestSpans?: RequestHandler;
}

/** Largest JSON body accepted; a booking is a few KB. Larger bodies get 413. */
const BODY_LIMIT = '256kb';
/** The version the API document states (package.json's, read at run time: it lies outside the build's rootDir). */
const SERVICE_VERSION: string = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.config.trustProxy);
  // Before all else: what follows, the access log included, runs in the request's span.
  if (deps.requestSpans) app.use(deps.requestSpans);
  // Then, before anything can answer: every response, refusals by the limiter included, carries X-Request-Id and is logged.
  app.use(accessLog(deps.logger));
  app.use(securityHeaders(deps.config));
  app.use(rateLimiter(deps.config.apiRateLimitPerMinute, deps.config.apiKeys));
  const services = createApplicationServices({
    bookings: deps.bookings,
    storedBookings: deps.storedBookings,
    userBookings: deps.userBookings,
    bookingHistory: deps.bookingHistory,
    externalEdits: deps.externalEdits,
    channels: deps.channels,
    calendarAccounts: deps.calendarAccounts,
    busy: deps.busy,
    connectAttempts: deps.connectAttempts,
    connectLimits: deps.config,
    providers: deps.providers,
    workflows: deps.workflows,
    channelSecrets: new ChannelSecrets(deps.config.encryptionKeys),
    encryptionKeys: deps.config.encryptionKeys,
    icloudCaldavUrl: deps.config.icloudCaldavUrl,
    caldavAllowPrivateNetworks: deps.config.caldav.allowPrivateNetworks,
    logger: deps.logger,
  });
  app.use(
    codecRoutes({
      codec: deps.codec,
      // Codec keys only: a booking system's API key must not also read every workflow history.
      codecKeys: deps.config.codecApiKeys,
      uiOrigins: deps.config.temporalUiOrigins,
      trustUiOriginWithoutKey: deps.config.codecOpenInDevelopment,
    }),
  );
  // Signed webhooks read their raw body, so they come before the JSON parser.
  app.use(
    webhookRoutes({
      webhookSecret: deps.config.webhookSecret,
      standardSecrets: deps.config.webhookSecrets,
      bookings: services.bookings,
      receipts: deps.receipts,
      bodyLimit: BODY_LIMIT,
    }),
  );
  app.use(
    express.json({
      limit: BODY_LIMIT,
      strict: true,
      type: ['application/json', 'application/*+json'],
      // The parser would quietly turn invalid UTF-8 into U+FFFD; refuse it instead.
      verify: (_req, _res, buf) => {
        if (!isUtf8(buf)) throw new ApiError(400, 'invalid_utf8', 'request body is not valid UTF-8');
      },
    }),
  );

  app.use(opsRoutes(deps.health, deps.workflows, deps.processState, metricsOnApiPort(deps.config)));
  app.use(openApiRoutes({ version: SERVICE_VERSION, serverUrl: deps.config.publicBaseUrl }));
  const auth = requireApiKey(deps.config.apiKeys);
  app.use('/v1/bookings', auth);
  app.use('/v1/users', auth);
  app.use('/v1/availability', auth);
  app.use('/v1/notifications', auth);
  app.use(bookingRoutes(services.bookings, services.bookingArchive));
  app.use(availabilityRoutes(deps.busy));
  app.use(
    notificationRoutes(
      new Notifications({
        store: deps.notifications,
        workflows: deps.workflows,
        notifyUrl: deps.config.notifyUrl,
        retryForMs: deps.config.notifyRetryForMs,
      }),
    ),
  );
  app.use(providerWebhookRoutes(services.pushNotifications));
  app.use(calendarAccountRoutes(services.calendarAccounts));
  app.use(userErasureRoutes(services.userErasures));
  const feeds = new CalendarFeeds({
    links: deps.feedLinks,
    publicBaseUrl: deps.config.publicBaseUrl,
    reminders: deps.config.eventReminders,
    templates: deps.config.eventTemplates,
  });
  app.use(calendarFeedRoutes(feeds));
  const subjects = new UserSubjects(deps.config.encryptionKeys);
  app.use(oauthRoutes(deps.oauthConnect, auth, deps.config.publicBaseUrl));
  app.use(
    settingsRoutes({
      accounts: services.calendarAccounts,
      connect: deps.oauthConnect,
      feeds,
      archive: services.bookingArchive,
      access: new SettingsAccess({
        links: deps.settingsLinks,
        linkSigner: deps.settingsSigner,
        sessionSigner: deps.settingsSessionSigner,
        windowSigner: deps.settingsWindowSigner,
        erasedSince: async (userId) => (await deps.userErasures.find(subjects.all(userId)))?.requestedAt,
      }),
      publicBaseUrl: deps.config.publicBaseUrl,
      framing: settingsFraming(deps.config),
      embeddable: deps.config.settingsFrameAncestors.length > 0,
      requireKey: auth,
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger, deps.config.publicBaseUrl));
  return app;
}
