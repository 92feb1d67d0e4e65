import { isUtf8 } from 'node:buffer';
import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { AppConfig } from '../config';
import type { OAuthConnect } from '../connections/oauth-connect';
import type { Repositories } from '../db/repositories';
import type { Signer } from '../crypto/signer';
import type { Logger } from '../logging';
import type { ProviderRegistry } from '../providers';
import { requireApiKey } from './auth';
import { rateLimiter, securityHeaders } from './http-hardening';
import { BookingCommands } from './booking-commands';
import { ApiError, errorHandler, notFoundHandler } from './errors';
import { bookingRoutes } from './routes/bookings';
import { connectionRoutes } from './routes/connections';
import { oauthRoutes } from './routes/oauth';
import { opsRoutes } from './routes/ops';
import { settingsRoutes } from './routes/settings';
import { webhookRoutes } from './routes/webhooks';
import { availabilityRoutes } from './routes/availability';
import { ChannelSecrets } from '../crypto/channel-secret';
import { providerWebhookRoutes } from './routes/provider-webhooks';
import { notificationRoutes } from './routes/notifications';
import { codecRoutes } from './routes/codec';
import { openApiRoutes } from './routes/openapi';

/** The repositories the HTTP routes read and write through. */
export type ApiRepositories = Pick<Repositories, 'bookings' | 'busy' | 'channels' | 'connections' | 'externalEdits' | 'health' | 'notifications' | 'receipts'>;

export interface AppDeps extends ApiRepositories {
  config: Pick<
    AppConfig,
    | 'nodeEnv'
    | 'apiKeys'
    | 'temporal'
    | 'publicBaseUrl'
    | 'icloudCaldavUrl'
    | 'webhookSecret'
    | 'google'
    | 'microsoft'
    | 'apiRateLimitPerMinute'
    | 'trustProxy'
    | 'temporalUiOrigins'
    | 'encryptionKeys'
  >;
  /** The payload codec the client and workers use, served to the Web UI at /codec. */
  codec: PayloadCodec;
  temporal: Client;
  oauthConnect: OAuthConnect;
  providers: ProviderRegistry;
  settingsSigner: Signer;
  logger: Logger;
}

/** Largest JSON body accepted; a booking is a few KB. Larger bodies get 413. */
const BODY_LIMIT = '256kb';
/** The version the API document states (package.json's). */
const SERVICE_VERSION: string = (require('../../package.json') as { version: string }).version;

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.config.trustProxy);
  app.use(securityHeaders(deps.config));
  app.use(rateLimiter(deps.config.apiRateLimitPerMinute, deps.config.apiKeys));
  const commands = new BookingCommands(deps.temporal, deps.config.temporal);
  app.use(
    codecRoutes({
      codec: deps.codec,
      apiKeys: deps.config.apiKeys,
      uiOrigins: deps.config.temporalUiOrigins,
      trustUiOriginWithoutKey: deps.config.nodeEnv === 'development',
    }),
  );
  // Signed webhooks read their raw body, so they come before the JSON parser.
  app.use(webhookRoutes({ webhookSecret: deps.config.webhookSecret, commands, receipts: deps.receipts, bodyLimit: BODY_LIMIT }));
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

  app.use(opsRoutes(deps.health, deps.temporal));
  app.use(openApiRoutes({ version: SERVICE_VERSION, serverUrl: deps.config.publicBaseUrl }));
  const auth = requireApiKey(deps.config.apiKeys);
  app.use('/v1/bookings', auth);
  app.use('/v1/users', auth);
  app.use('/v1/availability', auth);
  app.use('/v1/notifications', auth);
  app.use(bookingRoutes(commands, deps.bookings, deps.externalEdits));
  app.use(availabilityRoutes(deps.busy));
  app.use(notificationRoutes(deps.notifications));
  app.use(providerWebhookRoutes({ channels: deps.channels, secrets: new ChannelSecrets(deps.config.encryptionKeys), temporal: deps.temporal, logger: deps.logger }));
  app.use(
    connectionRoutes({
      icloudCaldavUrl: deps.config.icloudCaldavUrl,
      connections: deps.connections,
      providers: deps.providers,
      temporal: deps.temporal,
      workflows: deps.config.temporal,
      logger: deps.logger,
    }),
  );
  app.use(oauthRoutes(deps.oauthConnect, auth));
  app.use(
    settingsRoutes({
      icloudCaldavUrl: deps.config.icloudCaldavUrl,
      connections: deps.connections,
      connect: deps.oauthConnect,
      providers: deps.providers,
      signer: deps.settingsSigner,
      temporal: deps.temporal,
      workflows: deps.config.temporal,
      publicBaseUrl: deps.config.publicBaseUrl,
      requireKey: auth,
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
