import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z, type ZodError } from 'zod';
import type { CalendarAccountError, CalendarAccounts, CalendarAccountWithEmail } from '../../application/calendar-accounts';
import type { BookingArchive } from '../../application/booking-archive';
import type { CalendarFeeds } from '../../application/calendar-feeds';
import { ConnectLimitError } from '../../account-access/connect-limits';
import type { SettingsAccess, SettingsSession } from '../../application/settings-access';
import { CONNECT_LINK_TTL_MS, type ConnectErrorCode, type OAuthConnect } from '../../account-access/oauth-connect';
import { connectBrowserNonce, readCookie, sameOriginOnly, SESSION_COOKIE, setCookie } from '../browser-guard';
import { calendarAccountJson } from '../calendar-account-json';
import { continuePage } from '../pages/browser-pages';
import { connectResultMessage } from '../pages/connect-result';
import { settingsLinkInvalidPage, settingsPage, type CalDavFormValues, type SettingsView } from '../pages/settings-page';
import type { CalendarListing } from '../pages/calendar-settings-form';
import type { EventsLeftView } from '../pages/events-left-notice';
import { caldavAccountBodySchema, caldavReconnectBodySchema, idSchema, settingsLinkBodySchema } from '../schemas';
import { settingsLinkSchema } from '../responses/links';
import { sendJson } from '../send-json';
import { parseBody, parseParam } from '../validate';
import { settingsAccountFormRoutes } from './settings-account-forms';

export { SETTINGS_LINK_TTL_MS } from '../../application/settings-access';

export interface SettingsDeps {
  accounts: CalendarAccounts;
  connect: OAuthConnect;
  feeds: CalendarFeeds;
  /** The user's recent bookings and their history, for the page. */
  archive: Pick<BookingArchive, 'recentActivity'>;
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
/** The page lists bookings that ended this recently or end later, the earliest first… */
const ACTIVITY_SINCE_MS = 14 * 24 * 3_600_000;
/** …this many, each with this many of its newest history entries. */
const ACTIVITY_BOOKINGS = 10;
const ACTIVITY_ENTRIES = 5;

/** Fixed banners for `?status=` after a form succeeded: nothing from the URL is shown as a message. */
const DONE_BANNERS: Record<string, string> = {
  connected: 'Calendar connected. Your bookings are being added to it.',
  reconnected: 'Calendar reconnected. Your bookings are being brought up to date in it.',
  disconnected: 'Calendar disconnected.',
  feed_revoked: 'Subscription link revoked: calendars subscribed to it get nothing more.',
  calendar_changed: 'Calendar changed. Your bookings are being moved to it.',
  sync_on: 'Sync turned on. Bookings made meanwhile are being added.',
  sync_off: 'Sync turned off. New bookings are not added to that calendar.',
  busy_saved: 'Calendars that count for conflicts saved.',
  reminders_saved: 'Reminders saved. Your events are being updated.',
};

/** Why an account's calendars could not be listed, for the user. */
function listingProblem(error: CalendarAccountError): string {
  if (error.code === 'account_needs_reauth') return 'Reconnect this calendar to choose its calendars.';
  if (error.code === 'account_error') return error.message;
  return 'Its calendars could not be listed just now: reload the page to try again.';
}

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
    const { timeZone } = parseBody(req, settingsLinkBodySchema);
    const link = await deps.access.mintLink(userId, timeZone);
    sendJson(res, 201, settingsLinkSchema, {
      url: `${settingsUrl}?token=${encodeURIComponent(link.token)}`,
      expiresAt: link.expiresAt.toISOString(),
    });
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

  /** An active account's calendars for its forms (one provider call each, side by side). */
  const calendarsOf = async (userId: string, accounts: CalendarAccountWithEmail[]): Promise<Record<string, CalendarListing>> => {
    const active = accounts.filter((a) => a.status === 'active' && !a.removingEvents);
    const listed = await Promise.all(
      active.map(async (a): Promise<[string, CalendarListing]> => {
        const result = await deps.accounts.calendars(userId, a.id);
        return [a.id, result.ok ? { ok: true, calendars: result.value } : { ok: false, problem: listingProblem(result.error) }];
      }),
    );
    return Object.fromEntries(listed);
  };

  const viewOf = async (req: Request, session: SettingsSession): Promise<SettingsView> => {
    const userId = session.userId;
    const accounts = await deps.accounts.list(userId);
    const now = Date.now();
    const timeZone = session.timeZone;
    const [calendars, activity, feedCreatedAt] = await Promise.all([
      calendarsOf(userId, accounts),
      deps.archive.recentActivity(userId, {
        from: new Date(now - ACTIVITY_SINCE_MS).toISOString(),
        bookings: ACTIVITY_BOOKINGS,
        entries: ACTIVITY_ENTRIES,
      }),
      deps.feeds.linkCreatedAt(userId),
    ]);
    return {
      ...(framed(req) ? { windowPass: deps.access.windowPass(session) } : {}),
      connections: accounts.map(calendarAccountJson),
      providers: deps.accounts.connectableProviders(),
      feedLink: { createdAt: feedCreatedAt },
      eventsLeft: eventsLeft(accounts, now),
      calendars,
      activity,
      ...(timeZone ? { timeZone } : {}),
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
    const status = typeof req.query.status === 'string' ? req.query.status : '';
    const error = typeof req.query.error === 'string' ? req.query.error : '';
    if (status === 'error') view.banner = { tone: 'bad', text: connectResultMessage(error) };
    else if (Object.hasOwn(DONE_BANNERS, status)) view.banner = { tone: 'ok', text: DONE_BANNERS[status]! };
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

  router.use(
    settingsAccountFormRoutes({
      accounts: deps.accounts,
      forms,
      settingsUrl,
      sessionOf: (req, res) => sessionOf(req, res),
      refuse: async (req, res, session, status, text) => {
        res
          .status(status)
          .type('html')
          .send(settingsPage({ ...(await viewOf(req, session)), banner: { tone: 'bad', text } }));
      },
    }),
  );

  return router;
}
