import express, { Router, type Request, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { WorkflowTarget } from '../../config';
import type { ConnectErrorCode, OAuthConnect } from '../../connections/oauth-connect';
import type { Signer } from '../../crypto/signer';
import type { ConnectionStore } from '../../db/connections';
import type { ProviderRegistry } from '../../providers';
import { connectCalDav } from '../../connections/caldav-connect';
import { disconnect, signalConnected } from '../connection-commands';
import { connectResultMessage } from '../pages/connect-result';
import { settingsLinkInvalidPage, settingsPage, type CalDavFormValues, type SettingsView } from '../pages/settings-page';
import { idSchema } from '../schemas';
import { parseParam } from '../validate';
import { connectionJson } from './connections';

/** How long a settings link works: a sitting, not a session that lingers. */
export const SETTINGS_LINK_TTL_MS = 60 * 60_000;

interface SettingsToken {
  u: string;
  exp: number;
}

export interface SettingsDeps {
  icloudCaldavUrl: string;
  connections: ConnectionStore;
  connect: OAuthConnect;
  providers: ProviderRegistry;
  signer: Signer;
  temporal: Client;
  workflows: WorkflowTarget;
  publicBaseUrl: string;
  requireKey: RequestHandler;
}

const userIdSchema = idSchema('userId');
const connectForm = z.object({ provider: z.enum(['google', 'microsoft']) });
const disconnectForm = z.object({ connectionId: z.uuid(), removeEvents: z.literal('true').optional() });
const caldavForm = z.object({
  provider: z.enum(['caldav', 'icloud']),
  serverUrl: z.string().trim().max(2000).optional(),
  username: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

function configured(providers: ProviderRegistry, kind: 'google' | 'microsoft'): boolean {
  try {
    providers.oauth(kind);
    return true;
  } catch {
    return false;
  }
}

/**
 * The end user's settings page. The booking system mints a signed, expiring link for one user;
 * the page and its forms are authorised by that token alone (no cookies, no API key in the
 * browser) and never send it to third parties (no-referrer).
 */
export function settingsRoutes(deps: SettingsDeps): Router {
  const router = Router();
  const forms = express.urlencoded({ extended: false, limit: '16kb' });

  const settingsUrl = (token: string) => `${deps.publicBaseUrl}/settings?token=${encodeURIComponent(token)}`;
  const userOf = (req: Request): { userId: string; token: string } | undefined => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const payload = deps.signer.verify<SettingsToken>(token);
    if (!payload || typeof payload.u !== 'string' || typeof payload.exp !== 'number' || payload.exp < Date.now()) return undefined;
    return { userId: payload.u, token };
  };

  router.post('/v1/users/:userId/settings-links', deps.requireKey, (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const exp = Date.now() + SETTINGS_LINK_TTL_MS;
    res.status(201).json({ url: settingsUrl(deps.signer.sign({ u: userId, exp } satisfies SettingsToken)), expiresAt: new Date(exp).toISOString() });
  });

  router.use('/settings', (_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    next();
  });

  const viewOf = async (who: { userId: string; token: string }): Promise<SettingsView> => ({
    token: who.token,
    connections: (await deps.connections.listForUserWithEmail(who.userId)).map(connectionJson),
    providers: { google: configured(deps.providers, 'google'), microsoft: configured(deps.providers, 'microsoft') },
  });

  router.get('/settings', async (req, res) => {
    const who = userOf(req);
    if (!who) return res.status(401).type('html').send(settingsLinkInvalidPage());
    const view = await viewOf(who);
    // Banners come from fixed texts chosen by code: nothing from the URL is shown as a message.
    const status = req.query.status;
    if (status === 'connected') view.banner = { tone: 'ok', text: 'Calendar connected. Your bookings are being added to it.' };
    else if (status === 'error') view.banner = { tone: 'bad', text: connectResultMessage(String(req.query.error) as ConnectErrorCode) };
    else if (status === 'disconnected') view.banner = { tone: 'ok', text: 'Calendar disconnected.' };
    res.type('html').send(settingsPage(view));
  });

  router.post('/settings/connect', forms, async (req, res) => {
    const who = userOf(req);
    if (!who) return res.status(401).type('html').send(settingsLinkInvalidPage());
    const form = connectForm.safeParse(req.body);
    if (!form.success) return res.redirect(303, `${settingsUrl(who.token)}&status=error&error=provider_not_configured`);
    try {
      const link = await deps.connect.createLink(who.userId, form.data.provider, settingsUrl(who.token));
      res.redirect(303, link.url);
    } catch {
      res.redirect(303, `${settingsUrl(who.token)}&status=error&error=provider_not_configured`);
    }
  });

  router.post('/settings/disconnect', forms, async (req, res) => {
    const who = userOf(req);
    if (!who) return res.status(401).type('html').send(settingsLinkInvalidPage());
    // Only the link's own user's calendars: any other id (another user's) is refused and left untouched.
    const refuse = async (status: number) =>
      res.status(status).type('html').send(settingsPage({ ...(await viewOf(who)), banner: { tone: 'bad', text: 'That calendar is not one of yours: nothing was disconnected.' } }));
    const form = disconnectForm.safeParse(req.body);
    if (!form.success) return refuse(400);
    const connection = (await deps.connections.listForUserWithEmail(who.userId)).find((c) => c.id === form.data.connectionId);
    if (!connection) return refuse(404);
    // Already disconnected (a second tab, a double click): nothing more to do.
    if (connection.status !== 'disconnected') {
      await disconnect(deps.connections, deps.temporal, deps.workflows, connection, form.data.removeEvents === 'true');
    }
    res.redirect(303, `${settingsUrl(who.token)}&status=disconnected`);
  });

  router.post('/settings/caldav', forms, async (req, res) => {
    const who = userOf(req);
    if (!who) return res.status(401).type('html').send(settingsLinkInvalidPage());
    // A refused form is answered with the page itself (400), the user name kept, never the password.
    const refuse = async (text: string, form: CalDavFormValues) =>
      res.status(400).type('html').send(settingsPage({ ...(await viewOf(who)), banner: { tone: 'bad', text }, caldavForm: form }));
    const raw = req.body as Record<string, unknown>;
    const kept = { provider: String(raw.provider ?? ''), serverUrl: String(raw.serverUrl ?? ''), username: String(raw.username ?? '') };
    const form = caldavForm.safeParse(req.body);
    if (!form.success) return refuse('Fill in the user name and app password (and the server URL for a CalDAV server).', kept);
    const { serverUrl, ...rest } = form.data;
    if (serverUrl && !/^https?:\/\/[^\s]+$/i.test(serverUrl)) return refuse('The server URL must start with https:// (or http://).', kept);
    const result = await connectCalDav(
      { connections: deps.connections, icloudCaldavUrl: deps.icloudCaldavUrl, onConnected: (c, created) => signalConnected(deps.temporal, deps.workflows, c, !created) },
      { userId: who.userId, ...rest, ...(serverUrl ? { serverUrl } : {}) },
    );
    if (!result.ok) return refuse(result.message, kept);
    res.redirect(303, `${settingsUrl(who.token)}&status=connected`);
  });

  return router;
}
