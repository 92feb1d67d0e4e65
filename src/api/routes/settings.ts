import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z, type ZodError } from 'zod';
import type { CalendarAccountError, CalendarAccounts, CalendarAccountWithEmail } from '../../application/calendar-accounts';
import type { CalendarFeeds } from '../../application/calendar-feeds';
import { ConnectLimitError } from '../../account-access/connect-limits';
import type { SettingsAccess, SettingsSession } from '../../application/settings-access';
import { CONNECT_LINK_TTL_MS, type ConnectErrorCode, type OAuthConnect } from '../../account-access/oauth-connect';
import { connectBrowserNonce, readCookie, sameOriginOnly, SESSION_COOKIE, setCookie } from '../browser-guard';
import { calendarAccountJson } from '../calendar-account-json';
import { continuePage } from '../pages/browser-pages';
import { connectResultMessage } from '../pages/connect-result';
import { settingsLinkInvalidPage, settingsPage, type CalDavFormValues, type SettingsView } from '../pages/settings-page';
import type { EventsLeftView } from '../pages/events-left-notice';
import { caldavAccountBodySchema, caldavReconnectBodySchema, idSchema } from '../schemas';
import { parseParam } from '../validate';

export { SETTINGS_LINK_TTL_MS } from '../../application/settings-access';

export interface SettingsDeps {
  accounts: CalendarAccounts;
  connect: OAuthConnect;
  feeds: CalendarFeeds;
  access: SettingsAccess;
  publicBaseUrl: string;
  requireKey: RequestHandler;
  /** Who may frame the settings pages (http-hardening's `settingsFraming`). */
  framing: RequestHandler;
  /** Whether some origins may frame them (SETTINGS_FRAME_ANCESTORS): the session cookie then works in a frame. */
  embeddable: boolean;
}

const userIdSchema = idSchema('userId');
const connectForm = z.object({ provider: z.enum(['google', 'microsoft']) });
/** The window pass a framed page's connect form carries into the new window it opens. */
const windowPassField = z.object({ window: z.string().max(2048) });
const disconnectForm = z.object({ connectionId: z.uuid(), removeEvents: z.literal('true').optional() });
/** How long the page keeps telling which events a disconnect left in a calendar. */
const EVENTS_LEFT_SHOWN_MS = 7 * 24 * 3_600_000;

/** Calendars disconnected lately that kept events of ours (the user deletes them there). */
function eventsLeft(accounts: CalendarAccountWithEmail[], now: number): EventsLeftView[] {
  return accounts
    .filter((a) => a.status === 'disconnected' && a.eventsNotRemoved && a.eventsNotRemoved.events.length > 0)
    .filter((a) => now - Date.parse(a.eventsNotRemoved!.at) < EVENTS_LEFT_SHOWN_MS)
    .map((a) => ({ provider: a.provider, accountEmail: a.accountEmail, events: a.eventsNotRemoved!.events }));
}

/** What the user is told when a reconnect was refused. */
function reconnectRefusal(error: CalendarAccountError): { status: number; text: string } {
  if ('message' in error) return { status: 400, text: error.message };
  if (error.code === 'account_not_found') return { status: 404, text: 'That calendar is not one of yours: nothing was changed.' };
  if (error.code === 'account_disconnected') return { status: 409, text: 'That calendar was disconnected: connect it again below.' };
  return { status: 400, text: 'The calendar could not be reconnected. Please try again.' };
}

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
 * the browser exchanges it for a session cookie (HttpOnly, SameSite=Strict, `__Host-`) and the
 * link leaves the URL at once: pages, forms and redirects carry no token, and a connect flow
 * returns to the bare `/settings`. Forms are accepted from this service's own pages only.
 *
 * Embeddable (SETTINGS_FRAME_ANCESTORS): the cookie is SameSite=None and Partitioned, so it is
 * sent in a frame on another site; SameSite no longer stops other sites' forms, the same-origin
 * check on every form does. Providers never show their consent in a frame, so a framed page's
 * connect buttons open the flow in a new window, carrying the session there by a window pass.
 */
export function settingsRoutes(deps: SettingsDeps): Router {
  const router = Router();
  const forms = express.urlencoded({ extended: false, limit: '16kb' });

  const settingsUrl = `${deps.publicBaseUrl}/settings`;
  const keep = (res: Response, session: SettingsSession) =>
    setCookie(
      res,
      SESSION_COOKIE,
      session.cookie,
      deps.embeddable
        ? { maxAgeMs: session.maxAgeMs, sameSite: 'none', partitioned: true }
        : { maxAgeMs: session.maxAgeMs, sameSite: 'strict' },
    );
  /**
   * The session (its cookie renewed), or undefined after answering 401. `windowPass`: a framed
   * page's connect form opened this request in a new window, where the frame's cookie is not.
   */
  const sessionOf = async (req: Request, res: Response, windowPass?: string): Promise<SettingsSession | undefined> => {
    const session =
      (windowPass !== undefined ? await deps.access.openWindow(windowPass) : undefined) ??
      (await deps.access.resume(readCookie(req, SESSION_COOKIE)));
    if (!session) {
      res.status(401).type('html').send(settingsLinkInvalidPage());
      return undefined;
    }
    keep(res, session);
    return session;
  };
  /**
   * Whether the page is shown in a frame: the browser says so (Sec-Fetch-Dest); one that does
   * not say is treated as framed, whose page works in a window too.
   */
  const framed = (req: Request) => deps.embeddable && req.get('sec-fetch-dest') !== 'document';

  router.post('/v1/users/:userId/settings-links', deps.requireKey, async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const link = await deps.access.mintLink(userId);
    res.status(201).json({ url: `${settingsUrl}?token=${encodeURIComponent(link.token)}`, expiresAt: link.expiresAt.toISOString() });
  });

  router.delete('/v1/users/:userId/settings-links', deps.requireKey, async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    await deps.access.revoke(userId);
    res.status(204).end();
  });

  router.use('/settings', (_req, res, next) => {
    // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the forms.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin' });
    next();
  });
  router.use('/settings', deps.framing);
  router.use('/settings', sameOriginOnly(deps.publicBaseUrl));

  const viewOf = async (req: Request, session: SettingsSession): Promise<SettingsView> => {
    const userId = session.userId;
    const accounts = await deps.accounts.list(userId);
    return {
      ...(framed(req) ? { windowPass: deps.access.windowPass(session) } : {}),
      connections: accounts.map(calendarAccountJson),
      providers: deps.accounts.connectableProviders(),
      feedLink: { createdAt: await deps.feeds.linkCreatedAt(userId) },
      eventsLeft: eventsLeft(accounts, Date.now()),
    };
  };

  router.get('/settings', async (req, res) => {
    if (typeof req.query.token === 'string') {
      res.set('Referrer-Policy', 'no-referrer');
      const session = await deps.access.exchange(req.query.token);
      if (!session) return res.status(401).type('html').send(settingsLinkInvalidPage());
      keep(res, session);
      // After a cross-site navigation (a link in the app or an e-mail) a browser would not send
      // the SameSite=Strict cookie on a redirect; a same-origin hop from a page makes it send it.
      // (In a frame the cookie is SameSite=None and the hop just stays inside the frame.)
      const site = req.get('sec-fetch-site');
      if (site === 'same-origin' || site === 'none') return res.redirect(303, settingsUrl);
      return res.type('html').send(continuePage('/settings'));
    }
    const session = await sessionOf(req, res);
    if (!session) return;
    const view = await viewOf(req, session);
    // Banners come from fixed texts chosen by code: nothing from the URL is shown as a message.
    const status = req.query.status;
    const error = typeof req.query.error === 'string' ? req.query.error : '';
    if (status === 'connected') view.banner = { tone: 'ok', text: 'Calendar connected. Your bookings are being added to it.' };
    else if (status === 'error') view.banner = { tone: 'bad', text: connectResultMessage(error) };
    else if (status === 'reconnected')
      view.banner = { tone: 'ok', text: 'Calendar reconnected. Your bookings are being brought up to date in it.' };
    else if (status === 'disconnected') view.banner = { tone: 'ok', text: 'Calendar disconnected.' };
    else if (status === 'feed_revoked')
      view.banner = { tone: 'ok', text: 'Subscription link revoked: calendars subscribed to it get nothing more.' };
    res.type('html').send(settingsPage(view));
  });

  router.post('/settings/connect', forms, async (req, res) => {
    const pass = windowPassField.safeParse(req.body);
    const session = await sessionOf(req, res, pass.success ? pass.data.window : undefined);
    if (!session) return;
    const userId = session.userId;
    const form = connectForm.safeParse(req.body);
    if (!form.success) return res.redirect(303, `${settingsUrl}?status=error&error=provider_not_configured`);
    try {
      // The flow starts in this browser: bound to it now, so its link works nowhere else.
      const nonce = connectBrowserNonce(req, res, CONNECT_LINK_TTL_MS);
      const link = await deps.connect.createLink(userId, form.data.provider, settingsUrl, nonce);
      res.redirect(303, link.url);
    } catch (err) {
      const error: ConnectErrorCode = err instanceof ConnectLimitError ? err.refusal.code : 'provider_not_configured';
      res.redirect(303, `${settingsUrl}?status=error&error=${error}`);
    }
  });

  router.post('/settings/disconnect', forms, async (req, res) => {
    const session = await sessionOf(req, res);
    if (!session) return;
    const userId = session.userId;
    const refuse = async (status: number, text: string) =>
      res
        .status(status)
        .type('html')
        .send(settingsPage({ ...(await viewOf(req, session)), banner: { tone: 'bad', text } }));
    const form = disconnectForm.safeParse(req.body);
    if (!form.success)
      return refuse(400, 'That disconnect request was incomplete: nothing was disconnected. Reload the page and try again.');
    // Only the session's own user's calendars: any other id (another user's) is refused and left untouched.
    const result = await deps.accounts.disconnect(userId, form.data.connectionId, form.data.removeEvents === 'true');
    if (!result.ok) return refuse(404, 'That calendar is not one of yours: nothing was disconnected.');
    res.redirect(303, `${settingsUrl}?status=disconnected`);
  });

  // The new link is shown in the answer itself, never in a URL: only its hash is stored.
  router.post('/settings/feed-link', forms, async (req, res) => {
    const session = await sessionOf(req, res);
    if (!session) return;
    const userId = session.userId;
    const created = await deps.feeds.createLink(userId);
    const view = await viewOf(req, session);
    res.type('html').send(settingsPage({ ...view, feedLink: { ...view.feedLink, created } }));
  });

  router.post('/settings/feed-link/revoke', forms, async (req, res) => {
    const session = await sessionOf(req, res);
    if (!session) return;
    const userId = session.userId;
    await deps.feeds.revokeLink(userId);
    res.redirect(303, `${settingsUrl}?status=feed_revoked`);
  });

  router.post('/settings/caldav', forms, async (req, res) => {
    const session = await sessionOf(req, res);
    if (!session) return;
    const userId = session.userId;
    // A refused form is answered with the page itself (400), the user name kept, never the password.
    const refuse = async (text: string, form: CalDavFormValues) =>
      res
        .status(400)
        .type('html')
        .send(settingsPage({ ...(await viewOf(req, session)), banner: { tone: 'bad', text }, caldavForm: form }));
    const raw = req.body as Record<string, unknown>;
    const field = (name: string) => (typeof raw[name] === 'string' ? raw[name] : '');
    const kept = { provider: field('provider'), serverUrl: field('serverUrl'), username: field('username') };
    const body = caldavFormBody(raw);
    const form = caldavAccountBodySchema.safeParse(body);
    if (!form.success) return refuse(caldavFormProblem(form.error, body), kept);
    const result = await deps.accounts.connectCalDav(userId, form.data);
    if (!result.ok) return refuse(result.error.message, kept);
    res.redirect(303, `${settingsUrl}?status=connected`);
  });

  // A CalDAV or iCloud calendar signs in again with a new app password; it stays the same calendar.
  router.post('/settings/reconnect', forms, async (req, res) => {
    const session = await sessionOf(req, res);
    if (!session) return;
    const userId = session.userId;
    const raw = req.body as Record<string, unknown>;
    const field = (name: string) => (typeof raw[name] === 'string' ? raw[name] : '');
    const typed = { connectionId: field('connectionId'), serverUrl: field('serverUrl'), username: field('username') };
    // A refused form is answered with the page itself, the user name kept, never the password.
    const refuse = async (status: number, text: string) =>
      res
        .status(status)
        .type('html')
        .send(settingsPage({ ...(await viewOf(req, session)), banner: { tone: 'bad', text }, reconnectForm: typed }));
    const id = z.uuid().safeParse(typed.connectionId);
    if (!id.success) return refuse(400, 'That reconnect request was incomplete: nothing was changed. Reload the page and try again.');
    const serverUrl = typed.serverUrl.trim();
    const username = typed.username.trim();
    const body = { ...(serverUrl ? { serverUrl } : {}), ...(username ? { username } : {}), password: field('password') };
    const form = caldavReconnectBodySchema.safeParse(body);
    if (!form.success) {
      const urlOnly = form.error.issues.every((i) => i.path[0] === 'serverUrl');
      return refuse(400, urlOnly ? 'The server URL must start with https:// (or http://).' : 'Fill in the app password.');
    }
    // Only the session's own user's calendars: any other id is refused and left untouched.
    const result = await deps.accounts.reconnectCalDav(userId, id.data, form.data);
    if (!result.ok) {
      const refusal = reconnectRefusal(result.error);
      return refuse(refusal.status, refusal.text);
    }
    res.redirect(303, `${settingsUrl}?status=reconnected`);
  });

  return router;
}
