import express, { Router, type Request, type RequestHandler } from 'express';
import { z, type ZodError } from 'zod';
import type { CalendarAccounts } from '../../application/calendar-accounts';
import { ConnectLimitError } from '../../account-access/connect-limits';
import type { ConnectErrorCode, OAuthConnect } from '../../account-access/oauth-connect';
import type { Signer } from '../../crypto/signer';
import { calendarAccountJson } from '../calendar-account-json';
import { connectResultMessage } from '../pages/connect-result';
import { settingsLinkInvalidPage, settingsPage, type CalDavFormValues, type SettingsView } from '../pages/settings-page';
import { caldavAccountBodySchema, idSchema } from '../schemas';
import { parseParam } from '../validate';

/** How long a settings link works: a sitting, not a session that lingers. */
export const SETTINGS_LINK_TTL_MS = 60 * 60_000;

interface SettingsToken {
  u: string;
  exp: number;
}

export interface SettingsDeps {
  accounts: CalendarAccounts;
  connect: OAuthConnect;
  signer: Signer;
  publicBaseUrl: string;
  requireKey: RequestHandler;
}

const userIdSchema = idSchema('userId');
const connectForm = z.object({ provider: z.enum(['google', 'microsoft']) });
const disconnectForm = z.object({ connectionId: z.uuid(), removeEvents: z.literal('true').optional() });

/**
 * The CalDAV form as the JSON body it stands for, so one schema judges both: a browser sends
 * every field, an empty one as '' (and may keep spaces typed around the URL).
 */
function caldavFormBody(form: Record<string, unknown>): Record<string, unknown> {
  const text = (name: string) => (typeof form[name] === 'string' ? form[name] : undefined);
  const serverUrl = text('serverUrl')?.trim();
  return { provider: text('provider'), ...(serverUrl ? { serverUrl } : {}), username: text('username'), password: text('password') };
}

/** What the user is told to fix in a refused CalDAV form. */
function caldavFormProblem(error: ZodError, body: Record<string, unknown>): string {
  const urlOnly = body.serverUrl !== undefined && error.issues.every((i) => i.path[0] === 'serverUrl');
  return urlOnly
    ? 'The server URL must start with https:// (or http://).'
    : 'Fill in the user name and app password (and the server URL for a CalDAV server).';
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
    res
      .status(201)
      .json({ url: settingsUrl(deps.signer.sign({ u: userId, exp } satisfies SettingsToken)), expiresAt: new Date(exp).toISOString() });
  });

  router.use('/settings', (_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    next();
  });

  const viewOf = async (who: { userId: string; token: string }): Promise<SettingsView> => ({
    token: who.token,
    connections: (await deps.accounts.list(who.userId)).map(calendarAccountJson),
    providers: deps.accounts.connectableProviders(),
  });

  router.get('/settings', async (req, res) => {
    const who = userOf(req);
    if (!who) return res.status(401).type('html').send(settingsLinkInvalidPage());
    const view = await viewOf(who);
    // Banners come from fixed texts chosen by code: nothing from the URL is shown as a message.
    const status = req.query.status;
    const error = typeof req.query.error === 'string' ? req.query.error : '';
    if (status === 'connected') view.banner = { tone: 'ok', text: 'Calendar connected. Your bookings are being added to it.' };
    else if (status === 'error') view.banner = { tone: 'bad', text: connectResultMessage(error as ConnectErrorCode) };
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
    } catch (err) {
      const error: ConnectErrorCode = err instanceof ConnectLimitError ? err.refusal.code : 'provider_not_configured';
      res.redirect(303, `${settingsUrl(who.token)}&status=error&error=${error}`);
    }
  });

  router.post('/settings/disconnect', forms, async (req, res) => {
    const who = userOf(req);
    if (!who) return res.status(401).type('html').send(settingsLinkInvalidPage());
    const refuse = async (status: number, text: string) =>
      res
        .status(status)
        .type('html')
        .send(settingsPage({ ...(await viewOf(who)), banner: { tone: 'bad', text } }));
    const form = disconnectForm.safeParse(req.body);
    if (!form.success)
      return refuse(400, 'That disconnect request was incomplete: nothing was disconnected. Reload the page and try again.');
    // Only the link's own user's calendars: any other id (another user's) is refused and left untouched.
    const result = await deps.accounts.disconnect(who.userId, form.data.connectionId, form.data.removeEvents === 'true');
    if (!result.ok) return refuse(404, 'That calendar is not one of yours: nothing was disconnected.');
    res.redirect(303, `${settingsUrl(who.token)}&status=disconnected`);
  });

  router.post('/settings/caldav', forms, async (req, res) => {
    const who = userOf(req);
    if (!who) return res.status(401).type('html').send(settingsLinkInvalidPage());
    // A refused form is answered with the page itself (400), the user name kept, never the password.
    const refuse = async (text: string, form: CalDavFormValues) =>
      res
        .status(400)
        .type('html')
        .send(settingsPage({ ...(await viewOf(who)), banner: { tone: 'bad', text }, caldavForm: form }));
    const raw = req.body as Record<string, unknown>;
    const field = (name: string) => (typeof raw[name] === 'string' ? raw[name] : '');
    const kept = { provider: field('provider'), serverUrl: field('serverUrl'), username: field('username') };
    const body = caldavFormBody(raw);
    const form = caldavAccountBodySchema.safeParse(body);
    if (!form.success) return refuse(caldavFormProblem(form.error, body), kept);
    const result = await deps.accounts.connectCalDav(who.userId, form.data);
    if (!result.ok) return refuse(result.error.message, kept);
    res.redirect(303, `${settingsUrl(who.token)}&status=connected`);
  });

  return router;
}
